package io.duro.runtime;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.regex.Pattern;

/**
 * A Durable Object class bound under a name (the manifest's {@code durable_objects.bindings}
 * entry). The namespace key identifies the class's objects in IDs and in the journal.
 *
 * @param name the binding name, e.g. {@code counter}; the first path segment of the default router
 * @param objectClass the class
 * @param namespaceKey stable key of the class's namespace (defaults to the class name)
 */
public record ObjectBinding(
    String name, Class<? extends DurableObject> objectClass, String namespaceKey) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");

  /** Checks the binding. */
  public ObjectBinding {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "A binding name is a letter followed by up to 62 letters, digits, '_' or '-'; got '"
              + name
              + "'");
    }
    if (objectClass == null
        || objectClass.isInterface()
        || Modifier.isAbstract(objectClass.getModifiers())) {
      throw new IllegalArgumentException(
          "Binding '" + name + "' needs a concrete DurableObject class; got " + objectClass);
    }
    constructorOf(objectClass);
    if (namespaceKey == null || namespaceKey.isEmpty()) {
      namespaceKey = objectClass.getName();
    }
  }

  /**
   * Binds a class under a name, its namespace keyed by its class name.
   *
   * @param name the binding name
   * @param objectClass the class
   * @return the binding
   */
  public static ObjectBinding of(String name, Class<? extends DurableObject> objectClass) {
    return new ObjectBinding(name, objectClass, null);
  }

  /**
   * The public {@code (DurableObjectState, Env)} constructor of a class.
   *
   * @param type the class
   * @return the constructor
   * @throws IllegalArgumentException when there is none
   */
  static Constructor<? extends DurableObject> constructorOf(Class<? extends DurableObject> type) {
    try {
      return type.getConstructor(DurableObjectState.class, Env.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          type.getName()
              + " needs a public constructor "
              + type.getSimpleName()
              + "(DurableObjectState state, Env env)",
          e);
    }
  }
}

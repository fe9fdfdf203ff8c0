package io.duro.runtime;

import io.duro.api.Worker;
import io.duro.runtime.migrations.Manifest;
import io.duro.runtime.migrations.MigrationRules;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node serves: the bound object classes, the string variables objects see through {@code
 * Env}, and optionally a {@link Worker} that receives every gateway request. Made in code ({@link
 * #of}) or from a {@code duro.json} manifest ({@link Manifest#load}).
 *
 * @param name the application's name (the manifest's {@code name})
 * @param bindings the bindings, names unique
 * @param vars variables
 * @param worker the Worker class (the manifest's {@code main}), or empty for the default router
 * @param migrations the manifest's migrations, in order; empty for an application made in code
 *     without them, which runs unmanaged: each class's namespace key is its class name and nothing
 *     is recorded in the database (see {@code docs/migrations.md})
 */
public record Application(
    String name,
    List<ObjectBinding> bindings,
    Map<String, String> vars,
    Optional<Class<? extends Worker>> worker,
    List<Manifest.Migration> migrations) {

  /**
   * Checks that binding names are unique, the Worker can be constructed and the migrations cover
   * the bound classes; copies.
   */
  public Application {
    Map<String, ObjectBinding> byName = new LinkedHashMap<>();
    for (ObjectBinding b : bindings) {
      if (byName.put(b.name(), b) != null) {
        throw new IllegalArgumentException("Binding '" + b.name() + "' is declared twice");
      }
    }
    name = name == null ? "app" : name;
    bindings = List.copyOf(bindings);
    vars = Map.copyOf(vars);
    worker.ifPresent(Application::workerConstructor);
    migrations = List.copyOf(migrations);
    if (!migrations.isEmpty()) {
      MigrationRules.check(
          name,
          migrations,
          bindings.stream().map(b -> b.objectClass().getName()).toList(),
          (path, problem) -> new IllegalArgumentException(path + ": " + problem));
    }
  }

  /**
   * An application without migrations (unmanaged).
   *
   * @param name the application's name
   * @param bindings the bindings
   * @param vars the variables
   * @param worker the Worker class, or empty
   */
  public Application(
      String name,
      List<ObjectBinding> bindings,
      Map<String, String> vars,
      Optional<Class<? extends Worker>> worker) {
    this(name, bindings, vars, worker, List.of());
  }

  /**
   * An application without a name or Worker.
   *
   * @param bindings the bindings
   * @param vars the variables
   */
  public Application(List<ObjectBinding> bindings, Map<String, String> vars) {
    this("app", bindings, vars, Optional.empty());
  }

  /**
   * An application with bindings and no variables.
   *
   * @param bindings the bindings
   * @return the application
   */
  public static Application of(ObjectBinding... bindings) {
    return new Application(List.of(bindings), Map.of());
  }

  /**
   * A copy of this application whose gateway requests go to a Worker.
   *
   * @param workerClass the Worker class, with a public no-argument constructor
   * @return the new application
   */
  public Application withWorker(Class<? extends Worker> workerClass) {
    return new Application(name, bindings, vars, Optional.of(workerClass), migrations);
  }

  /**
   * A copy of this application with other variables.
   *
   * @param newVars the variables
   * @return the new application
   */
  public Application withVars(Map<String, String> newVars) {
    return new Application(name, bindings, newVars, worker, migrations);
  }

  /**
   * A copy of this application with migrations (which must cover every bound class).
   *
   * @param newMigrations the migrations, in order
   * @return the new application
   */
  public Application withMigrations(List<Manifest.Migration> newMigrations) {
    return new Application(name, bindings, vars, worker, newMigrations);
  }

  /**
   * A copy whose bindings use the namespace keys that the migrations recorded for their classes.
   *
   * @param keysByClass namespace key per class name; classes not in it keep their key
   * @return the new application
   */
  Application withNamespaceKeys(Map<String, String> keysByClass) {
    List<ObjectBinding> keyed =
        bindings.stream()
            .map(
                b ->
                    new ObjectBinding(
                        b.name(),
                        b.objectClass(),
                        keysByClass.getOrDefault(b.objectClass().getName(), b.namespaceKey())))
            .toList();
    return new Application(name, keyed, vars, worker, migrations);
  }

  /**
   * The binding with this name.
   *
   * @param name the binding name
   * @return the binding, or empty
   */
  public Optional<ObjectBinding> binding(String name) {
    return bindings.stream().filter(b -> b.name().equals(name)).findFirst();
  }

  /**
   * The public no-argument constructor of a Worker class.
   *
   * @param type the class
   * @return the constructor
   * @throws IllegalArgumentException when the class is abstract or has none
   */
  public static Constructor<? extends Worker> workerConstructor(Class<? extends Worker> type) {
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      throw new IllegalArgumentException(
          "class " + type.getName() + " is abstract; a Worker must be a concrete class");
    }
    if (!Modifier.isPublic(type.getModifiers())) {
      throw new IllegalArgumentException("class " + type.getName() + " must be public");
    }
    try {
      return type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          "class "
              + type.getName()
              + " needs a public no-argument constructor "
              + type.getSimpleName()
              + "() (a Worker gets its Env in fetch)",
          e);
    }
  }
}

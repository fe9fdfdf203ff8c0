package io.duro.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node serves: the bound object classes and the string variables objects see through
 * {@code Env}.
 *
 * @param bindings the bindings, names unique
 * @param vars variables
 */
public record Application(List<ObjectBinding> bindings, Map<String, String> vars) {

  /** Checks that binding names are unique and copies the collections. */
  public Application {
    Map<String, ObjectBinding> byName = new LinkedHashMap<>();
    for (ObjectBinding b : bindings) {
      if (byName.put(b.name(), b) != null) {
        throw new IllegalArgumentException("Binding '" + b.name() + "' is declared twice");
      }
    }
    bindings = List.copyOf(bindings);
    vars = Map.copyOf(vars);
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
   * The binding with this name.
   *
   * @param name the binding name
   * @return the binding, or empty
   */
  public Optional<ObjectBinding> binding(String name) {
    return bindings.stream().filter(b -> b.name().equals(name)).findFirst();
  }
}

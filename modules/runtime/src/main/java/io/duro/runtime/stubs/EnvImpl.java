package io.duro.runtime.stubs;

import io.duro.api.Env;
import io.duro.api.Namespace;
import io.duro.api.UnknownBindingException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The {@link Env} of an application: its namespaces (as seen by one caller) and variables. */
public final class EnvImpl implements Env {

  private final Map<String, ?> bindings;
  private final Function<String, Namespace> namespaces;
  private final Map<String, String> vars;

  /**
   * Creates the env.
   *
   * @param bindings the bound names (only the keys are used, for error messages and lookups)
   * @param namespaces makes the namespace of a bound name
   * @param vars the variables
   */
  public EnvImpl(
      Map<String, ?> bindings, Function<String, Namespace> namespaces, Map<String, String> vars) {
    this.bindings = bindings;
    this.namespaces = namespaces;
    this.vars = vars;
  }

  @Override
  public Namespace namespace(String binding) {
    if (binding == null || !bindings.containsKey(binding)) {
      throw new UnknownBindingException(
          "No Durable Object namespace is bound as '"
              + binding
              + "'; bound: "
              + String.join(", ", bindings.keySet()));
    }
    return namespaces.apply(binding);
  }

  @Override
  public Optional<String> var(String name) {
    return Optional.ofNullable(vars.get(name));
  }

  @Override
  public Map<String, String> vars() {
    return vars;
  }
}

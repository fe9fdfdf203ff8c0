package io.duro.api;

import java.util.Map;
import java.util.Optional;

/**
 * What an object or Worker is given about its application: namespace bindings and variables.
 *
 * <pre>{@code
 * Namespace rooms = env.namespace("ROOMS");
 * String greeting = env.var("GREETING").orElse("hello");
 * }</pre>
 */
public interface Env {

  /**
   * The namespace bound under {@code binding}.
   *
   * @param binding the binding name from the manifest
   * @return the namespace
   * @throws UnknownBindingException if nothing is bound under that name
   */
  Namespace namespace(String binding);

  /**
   * A string variable from the manifest.
   *
   * @param name the variable's name
   * @return its value, or empty
   */
  Optional<String> var(String name);

  /**
   * Every variable.
   *
   * @return an unmodifiable map
   */
  Map<String, String> vars();
}

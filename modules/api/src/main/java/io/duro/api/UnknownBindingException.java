package io.duro.api;

/**
 * No namespace is bound under the given name in this application.
 *
 * <pre>{@code
 * Namespace rooms = env.namespace("ROOMS"); // throws UnknownBindingException if not bound
 * }</pre>
 */
public final class UnknownBindingException extends DuroException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which binding was asked for and which exist
   */
  public UnknownBindingException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "unknown_binding";
  }
}

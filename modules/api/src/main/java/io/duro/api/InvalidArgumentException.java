package io.duro.api;

/**
 * An argument was malformed: a bad list range, a null or unserializable value, a malformed ID.
 * Nothing was written.
 *
 * <pre>{@code
 * try {
 *   storage.list(ListOptions.builder().start("a").startAfter("b").build(), String.class);
 * } catch (InvalidArgumentException e) {
 *   // "start and startAfter cannot be combined; ..."
 * }
 * }</pre>
 */
public class InvalidArgumentException extends DuroException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong with the argument
   */
  public InvalidArgumentException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what is wrong with the argument
   * @param cause the underlying failure (e.g. a serializer error)
   */
  public InvalidArgumentException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public String code() {
    return "invalid_argument";
  }
}

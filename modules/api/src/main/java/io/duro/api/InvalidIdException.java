package io.duro.api;

/**
 * A string is not a Durable Object ID of this namespace: it is not 64 lowercase hex digits, or it
 * was made by another namespace.
 *
 * <pre>{@code
 * try {
 *   DurableObjectId id = namespace.idFromString(userInput);
 * } catch (InvalidIdException e) {
 *   return Response.json(400, Map.of("error", e.code())).completed();
 * }
 * }</pre>
 */
public final class InvalidIdException extends InvalidArgumentException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong with the ID
   */
  public InvalidIdException(String message) {
    super(message);
  }

  @Override
  public String code() {
    return "invalid_id";
  }
}

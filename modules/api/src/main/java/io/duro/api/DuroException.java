package io.duro.api;

/**
 * The root of every failure Duro reports. Each subclass has a stable machine-readable {@link
 * #code()} (the {@code "error"} field of the gateway's JSON error body) and says whether the
 * operation may be retried as it is.
 *
 * <pre>{@code
 * try {
 *   storage.put(key, value);
 * } catch (LimitExceededException e) {
 *   return Response.json(413, Map.of("error", e.code(), "message", e.getMessage())).completed();
 * }
 * }</pre>
 */
public abstract class DuroException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong, the limit or value involved, and the way out
   */
  protected DuroException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure
   */
  protected DuroException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The stable error code, e.g. {@code "limit_exceeded"}.
   *
   * @return the code
   */
  public abstract String code();

  /**
   * Whether sending the same request again later may succeed.
   *
   * @return true for transient failures such as overload
   */
  public boolean isRetryable() {
    return false;
  }
}

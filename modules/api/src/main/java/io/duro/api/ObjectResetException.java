package io.duro.api;

/**
 * The object was reset while this request was running or waiting: its in-memory state was
 * discarded and rebuilt from durable storage. The request's writes that had not become durable
 * are gone. {@link #code()} says why: {@code "storage_failed"} when a journal write failed,
 * {@code "object_error"} when user code failed, {@code "timeout"} when a request exceeded its time
 * limit, {@code "aborted"} when the object called {@link DurableObjectState#abort(String)}.
 *
 * <pre>{@code
 * stub.fetch(request).exceptionally(e -> {
 *   if (e.getCause() instanceof ObjectResetException r && r.isRetryable()) {
 *     return retry(request);
 *   }
 *   throw new CompletionException(e);
 * });
 * }</pre>
 */
public final class ObjectResetException extends DuroException {

  private static final long serialVersionUID = 1L;

  private final String code;
  private final boolean retryable;

  /**
   * Creates the exception.
   *
   * @param code the reason code
   * @param message what happened
   * @param retryable whether a retry may succeed
   * @param cause the failure that caused the reset, or null
   */
  public ObjectResetException(String code, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retryable = retryable;
  }

  @Override
  public String code() {
    return code;
  }

  @Override
  public boolean isRetryable() {
    return retryable;
  }
}

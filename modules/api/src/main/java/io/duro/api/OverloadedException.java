package io.duro.api;

import java.time.Duration;

/**
 * The object has too many queued events; the request was not run. Retryable: the gateway answers
 * HTTP 503 with a {@code Retry-After} header.
 *
 * <pre>{@code
 * stub.fetch(request).exceptionally(e -> {
 *   if (e.getCause() instanceof OverloadedException o && o.isRetryable()) {
 *     scheduleRetry(o.retryAfter());
 *   }
 *   return null;
 * });
 * }</pre>
 */
public final class OverloadedException extends DuroException {

  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  /**
   * Creates the exception.
   *
   * @param message which queue is full and its bound
   * @param retryAfter a suggested wait before retrying
   */
  public OverloadedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  @Override
  public String code() {
    return "overloaded";
  }

  @Override
  public boolean isRetryable() {
    return true;
  }

  /**
   * A suggested wait before retrying.
   *
   * @return the wait
   */
  public Duration retryAfter() {
    return retryAfter;
  }
}

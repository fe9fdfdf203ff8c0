package io.duro.runtime.stubs;

import com.typesafe.config.Config;
import io.duro.api.DuroException;
import io.duro.api.Request;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Retries a call to an object that failed because the object was being handed over to another
 * node (a rolling update, a node leaving the cluster), so that clients do not see the hand-over.
 *
 * <p>Guarantees: a request is sent at most {@code maxAttempts} times, and again only after
 *
 * <ul>
 *   <li>a failure that proves it did not run ({@code not_delivered}: sharding dropped it during
 *       a hand-over, see {@link UndeliveredRequests}) — whatever its method; or
 *   <li>a hand-over failure whose outcome is unknown ({@link #isHandOverFailure}: unreachable,
 *       shutting down, no answer within the ask timeout), when the request may run twice
 *       ({@link #mayRepeat}: GET, HEAD, PUT, DELETE, OPTIONS, or an {@code Idempotency-Key}
 *       header).
 * </ul>
 *
 * Retries wait {@code firstBackoff}, then twice as long each time, at most {@code maxBackoff}.
 * Any other failure, and the last one, is returned as it is. Used by {@link ObjectClient}, so it
 * covers the gateway (which calls objects through stubs) and object-to-object stubs alike.
 *
 * @param maxAttempts attempts in all (1: no retries)
 * @param firstBackoff wait before the first retry
 * @param maxBackoff longest wait between two attempts
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {

  /** The failure codes that mean "the object could not be reached", not "it failed". */
  static final Set<String> HAND_OVER_CODES = Set.of("unavailable", "shutting_down");

  /** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2). */
  static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

  /** No retries. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

  /** Checks the values. */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException(
          "duro.runtime.retry.max-attempts must be at least 1; it is " + maxAttempts);
    }
    if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException(
          "duro.runtime.retry needs 0 <= first-backoff <= max-backoff; they are "
              + firstBackoff
              + " and "
              + maxBackoff);
    }
  }

  /**
   * Reads {@code duro.runtime.retry}.
   *
   * @param config the whole configuration
   * @return the policy
   * @throws IllegalArgumentException naming a bad value
   */
  public static RetryPolicy from(Config config) {
    Config c = config.getConfig("duro.runtime.retry");
    return new RetryPolicy(
        c.getInt("max-attempts"), c.getDuration("first-backoff"), c.getDuration("max-backoff"));
  }

  /**
   * Whether a request may be sent again after an attempt whose outcome is unknown.
   *
   * @param request the request
   * @return true for an idempotent method or a request with an {@code Idempotency-Key} header
   */
  public static boolean mayRepeat(Request request) {
    return IDEMPOTENT_METHODS.contains(request.method().toUpperCase(java.util.Locale.ROOT))
        || request.headers().first("Idempotency-Key").isPresent();
  }

  /**
   * Whether a failure means that the object was not reached or did not answer (it was being
   * handed over), rather than that it failed.
   *
   * @param error the failure of one attempt
   * @return true for an ask timeout or the codes {@code unavailable}, {@code shutting_down}
   */
  public static boolean isHandOverFailure(Throwable error) {
    Throwable cause = unwrap(error);
    if (!(cause instanceof DuroException e)) {
      return false;
    }
    // ObjectClient's ask timeout carries the TimeoutException; the object's own wall-time
    // "timeout" (its handler ran too long, the object was reset) has no cause and is final.
    return HAND_OVER_CODES.contains(e.code())
        || e.code().equals("timeout") && e.getCause() instanceof TimeoutException;
  }

  /** The wait before retry number {@code retry} (1 for the first retry). */
  Duration backoff(int retry) {
    long millis = firstBackoff.toMillis();
    for (int i = 1; i < retry && millis < maxBackoff.toMillis(); i++) {
      millis *= 2;
    }
    return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
  }

  /**
   * Runs {@code attempt} and retries it as this policy allows.
   *
   * @param request the request the attempts send
   * @param attempt sends the request once
   * @param <T> the result type
   * @return the first success, or the failure that ended the attempts
   */
  public <T> CompletionStage<T> run(Request request, Supplier<CompletionStage<T>> attempt) {
    if (maxAttempts == 1) {
      return attempt.get();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(attempt, mayRepeat(request), 1, result);
    return result;
  }

  /**
   * Whether a failure proves that the request did not run.
   *
   * @param error the failure of one attempt
   * @return true for {@code not_delivered}
   */
  public static boolean isNotDelivered(Throwable error) {
    return unwrap(error) instanceof DuroException e
        && e.code().equals(UndeliveredRequests.NOT_DELIVERED);
  }

  private <T> void attempt(
      Supplier<CompletionStage<T>> attempt, boolean repeatable, int n, CompletableFuture<T> out) {
    CompletionStage<T> stage;
    try {
      stage = attempt.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (value, error) -> {
          if (error == null) {
            out.complete(value);
          } else if (n < maxAttempts
              && (isNotDelivered(error) || repeatable && isHandOverFailure(error))) {
            Duration wait = backoff(n);
            CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS, Runnable::run)
                .execute(() -> attempt(attempt, repeatable, n + 1, out));
          } else {
            out.completeExceptionally(unwrap(error));
          }
        });
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

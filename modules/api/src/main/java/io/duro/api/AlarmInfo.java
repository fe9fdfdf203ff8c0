package io.duro.api;

import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link DurableObject#alarm(AlarmInfo)} invocation is told about itself.
 *
 * <pre>{@code
 * public CompletionStage<Void> alarm(AlarmInfo info) {
 *   if (info.isRetry()) {
 *     log("retry " + info.retryCount() + " of the alarm set for " + info.scheduledTime());
 *   }
 *   return CompletableFuture.completedFuture(null);
 * }
 * }</pre>
 *
 * @param scheduledTime when the alarm was set to fire
 * @param retryCount how many earlier runs of this alarm failed (0 on the first run)
 */
public record AlarmInfo(Instant scheduledTime, int retryCount) {

  /** Checks the fields. */
  public AlarmInfo {
    Objects.requireNonNull(scheduledTime, "scheduledTime");
    if (retryCount < 0) {
      throw new IllegalArgumentException("retryCount must be >= 0, was " + retryCount);
    }
  }

  /**
   * Tells whether an earlier run of this alarm failed.
   *
   * @return {@code retryCount() > 0}
   */
  public boolean isRetry() {
    return retryCount > 0;
  }
}

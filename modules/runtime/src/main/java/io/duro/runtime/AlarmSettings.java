package io.duro.runtime;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code duro.runtime.alarms} settings (see {@code reference.conf}).
 *
 * @param maxRetries retries of a failing alarm before it is dropped
 * @param firstRetryDelay delay before the first retry; each next one doubles
 * @param maxHorizon how far ahead an alarm may be set
 * @param pollInterval how often the scheduler scans the index
 * @param lookahead how far ahead of their time objects are woken
 * @param pageSize rows per index query
 * @param poolSize connections of the index
 */
public record AlarmSettings(
    int maxRetries,
    Duration firstRetryDelay,
    Duration maxHorizon,
    Duration pollInterval,
    Duration lookahead,
    int pageSize,
    int poolSize) {

  /**
   * Reads the settings.
   *
   * @param config the whole configuration
   * @return the settings
   */
  public static AlarmSettings from(Config config) {
    Config c = config.getConfig("duro.runtime.alarms");
    AlarmSettings s =
        new AlarmSettings(
            c.getInt("max-retries"),
            c.getDuration("first-retry-delay"),
            c.getDuration("max-horizon"),
            c.getDuration("poll-interval"),
            c.getDuration("lookahead"),
            c.getInt("page-size"),
            c.getInt("pool-size"));
    if (s.maxRetries < 0 || s.pageSize <= 0 || s.poolSize <= 0
        || s.pollInterval.isNegative() || s.pollInterval.isZero()
        || s.firstRetryDelay.isNegative() || s.lookahead.isNegative()
        || s.maxHorizon.isNegative() || s.maxHorizon.isZero()) {
      throw new IllegalArgumentException("duro.runtime.alarms has an invalid value: " + s);
    }
    return s;
  }

  /**
   * The delay before retry number {@code retry} (1-based): first-retry-delay × 2^(retry-1).
   *
   * @param retry the retry number, from 1
   * @return the delay
   */
  public Duration retryDelay(int retry) {
    return firstRetryDelay.multipliedBy(1L << Math.min(30, retry - 1));
  }
}

package io.duro.runtime;

import com.typesafe.config.Config;
import io.duro.storage.StorageLimits;
import java.time.Duration;

/**
 * The {@code duro.runtime} settings, read once from the actor system's configuration (see {@code
 * reference.conf} for every default and its meaning).
 *
 * @param idleTimeout passivate an object after this long without events
 * @param requestTimeout wall-clock limit of one request
 * @param maxQueuedRequests per-object bound of waiting plus unfinished requests
 * @param overloadRetryAfter suggested wait sent with an overload error
 * @param snapshotEvery journal events between two snapshots of one object
 * @param storageLimits key, value, batch and total size limits
 * @param alarms alarm retries and the scheduler
 * @param maxConnectionsPerObject WebSockets and event streams one object may hold
 * @param forks Duro's replacements of library internals, each on or off
 */
public record RuntimeSettings(
    Duration idleTimeout,
    Duration requestTimeout,
    int maxQueuedRequests,
    Duration overloadRetryAfter,
    int snapshotEvery,
    StorageLimits storageLimits,
    AlarmSettings alarms,
    int maxConnectionsPerObject,
    ForkSettings forks) {

  /**
   * Reads the settings.
   *
   * @param config the whole configuration (the {@code duro.runtime} section is used)
   * @return the settings
   */
  public static RuntimeSettings from(Config config) {
    Config c = config.getConfig("duro.runtime");
    Config s = c.getConfig("storage");
    AlarmSettings alarms = AlarmSettings.from(config);
    RuntimeSettings settings =
        new RuntimeSettings(
            c.getDuration("idle-timeout"),
            c.getDuration("request-timeout"),
            c.getInt("max-queued-requests"),
            c.getDuration("overload-retry-after"),
            c.getInt("snapshot-every"),
            new StorageLimits(
                s.getInt("max-key-bytes"),
                s.getInt("max-value-bytes"),
                s.getInt("max-keys-per-call"),
                s.getBytes("max-storage-bytes"),
                alarms.maxHorizon().toMillis()),
            alarms,
            c.getInt("max-connections-per-object"),
            ForkSettings.from(config));
    settings.check();
    return settings;
  }

  private void check() {
    positive("idle-timeout", idleTimeout.toMillis());
    positive("request-timeout", requestTimeout.toMillis());
    positive("max-queued-requests", maxQueuedRequests);
    positive("snapshot-every", snapshotEvery);
    positive("max-connections-per-object", maxConnectionsPerObject);
    positive("storage.max-key-bytes", storageLimits.maxKeyBytes());
    positive("storage.max-value-bytes", storageLimits.maxValueBytes());
    positive("storage.max-keys-per-call", storageLimits.maxKeysPerCall());
    positive("storage.max-storage-bytes", storageLimits.maxStorageBytes());
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(
          "duro.runtime." + name + " must be positive; it is " + value);
    }
  }
}

package io.duro.runtime.migrations;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code duro.migrations} settings: how the objects of a deleted class are removed.
 *
 * @param deleteBatchSize objects (and alarm rows) removed per database transaction
 * @param deletePause pause between two batches, to leave the database room for serving
 * @param lockTimeout how long a starting node waits for another node that applies migrations
 */
public record MigrationSettings(int deleteBatchSize, Duration deletePause, Duration lockTimeout) {

  /** Checks the values. */
  public MigrationSettings {
    if (deleteBatchSize < 1) {
      throw new IllegalArgumentException(
          "duro.migrations.delete-batch-size must be at least 1; got " + deleteBatchSize);
    }
  }

  /**
   * Reads the settings.
   *
   * @param config the node's configuration
   * @return the settings
   */
  public static MigrationSettings from(Config config) {
    Config c = config.getConfig("duro.migrations");
    return new MigrationSettings(
        c.getInt("delete-batch-size"),
        c.getDuration("delete-pause"),
        c.getDuration("lock-timeout"));
  }
}

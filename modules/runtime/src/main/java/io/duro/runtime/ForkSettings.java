package io.duro.runtime;

import com.typesafe.config.Config;

/**
 * The {@code duro.runtime.forks} switches (see {@code reference.conf}): each of Duro's
 * replacements of a library's internals, on by default, and off for the library's own path.
 *
 * @param heapScheduler the node's Pekko scheduler keeps its timers in a heap ({@code
 *     HeapScheduler}); off: Pekko's own scheduler
 * @param journalRecovery the journal recovers an object from its newest rows ({@code
 *     DuroJdbcJournal}); off: Pekko Persistence JDBC's own replay
 * @param embeddedJournalHousekeeping the embedded H2 journal's file is compacted in the background
 *     ({@link EmbeddedJournal}); off: H2's own settings, no compaction
 */
public record ForkSettings(
    boolean heapScheduler, boolean journalRecovery, boolean embeddedJournalHousekeeping) {

  /**
   * Reads the switches.
   *
   * @param config the whole configuration (the {@code duro.runtime.forks} section is used)
   * @return the switches
   */
  public static ForkSettings from(Config config) {
    Config c = config.getConfig("duro.runtime.forks");
    return new ForkSettings(
        c.getBoolean("heap-scheduler"),
        c.getBoolean("journal-recovery"),
        c.getBoolean("embedded-journal-housekeeping"));
  }
}

package io.duro.runtime;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded H2 journal needs beyond its URL: a larger identity cache, and the
 * housekeeping that H2 skips with {@code WRITE_DELAY=0}.
 *
 * <p>H2's MVStore writes every commit as a new chunk of the file. Its background thread, which
 * moves the few live pages out of old chunks so that they can be freed, only runs when commits
 * are written lazily ({@code WRITE_DELAY} &gt; 0); Duro writes each commit at once (so that an
 * acknowledged write survives {@code kill -9}), so without this class no chunk was ever freed
 * and the file grew by every commit: 2.7 GB after 90 s of spread increments
 * (docs/benchmarks.md, "The embedded journal's file size"). Every {@link #PERIOD_MS} ms this
 * class fsyncs the file, then rewrites the live pages of the sparsest chunks (at most {@link
 * #REWRITE_BYTES} per round, until chunks are {@link #TARGET_FILL_PERCENT} % live). Freed chunks
 * are reused after {@link #RETENTION_MS} ms, H2's margin for the operating system to have
 * written newer chunks; the fsync every second keeps that margin safe (H2's default, 45 s,
 * assumes the OS writes its buffers within that time; at Duro's commit rate it meant gigabytes).
 * As a side effect a power loss is expected to lose at most about the last second of writes.
 */
final class EmbeddedJournal implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedJournal.class);

  /** Identity values H2 hands out per commit of its sequence; see {@link #tune}. */
  static final int ORDERING_CACHE = 10_000;

  /** Housekeeping period. */
  static final long PERIOD_MS = 1_000;

  /** Age after which a chunk without live pages may be overwritten. */
  static final int RETENTION_MS = 2_000;

  /** Chunks are rewritten until this share of their space is live. */
  static final int TARGET_FILL_PERCENT = 50;

  /** At most this many bytes of live pages rewritten per round. */
  static final int REWRITE_BYTES = 8 << 20;

  private final Connection connection;
  private final ScheduledExecutorService executor;

  private EmbeddedJournal(Connection connection, ScheduledExecutorService executor) {
    this.connection = connection;
    this.executor = executor;
  }

  /** Whether the node's journal is an embedded H2 file. */
  static boolean isEmbedded(Config config) {
    String url = JdbcPools.DB + ".url";
    return config.hasPath(url) && config.getString(url).startsWith("jdbc:h2:file:");
  }

  /**
   * Opens the embedded journal's database, tunes it (see {@link #tune}) and starts its
   * housekeeping.
   *
   * @param config the node's configuration, with an embedded H2 journal
   * @return the running housekeeping; {@link #close} stops it
   * @throws IllegalStateException when the database cannot be opened or tuned
   */
  static EmbeddedJournal start(Config config) {
    Connection c = null;
    MVStore store;
    try {
      c =
          DriverManager.getConnection(
              config.getString(JdbcPools.DB + ".url"),
              config.getString(JdbcPools.DB + ".user"),
              config.getString(JdbcPools.DB + ".password"));
      tune(c);
      store =
          ((SessionLocal) c.unwrap(JdbcConnection.class).getSession())
              .getDatabase()
              .getStore()
              .getMvStore();
    } catch (SQLException e) {
      closeQuietly(c);
      throw new IllegalStateException("the embedded journal could not be tuned: " + e, e);
    }
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "duro-journal-housekeeping");
              t.setDaemon(true);
              return t;
            });
    EmbeddedJournal journal = new EmbeddedJournal(c, executor);
    executor.scheduleWithFixedDelay(
        () -> journal.housekeep(store), PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    return journal;
  }

  /**
   * Sets the cache of the journal's {@code ordering} identity column to {@value #ORDERING_CACHE}
   * values (the plugin's schema leaves H2's default, 32): H2 records a sequence's progress with
   * a commit of its own each time its cache is used up, and with {@code WRITE_DELAY=0} every
   * commit writes a chunk, so one journal commit in about every 32 rows was doubled
   * (docs/benchmarks.md, "Evening runs"). The only effect on data: a process crash leaves a gap
   * of at most that many numbers in {@code ordering}, which nothing in Duro reads and which Pekko
   * Persistence Query tolerates (rolled-back inserts leave gaps too). Also sets H2's retention
   * time (see the class comment). Both are idempotent and run at every start.
   */
  private static void tune(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" SET CACHE " + ORDERING_CACHE);
      s.execute("SET RETENTION_TIME " + RETENTION_MS);
    }
  }

  private void housekeep(MVStore store) {
    if (store.isClosed()) {
      executor.shutdown();
      return;
    }
    try {
      store.sync();
      store.compact(TARGET_FILL_PERCENT, REWRITE_BYTES);
    } catch (RuntimeException e) {
      if (store.isClosed()) {
        executor.shutdown();
      } else {
        log.warn("housekeeping of the embedded journal failed; tried again in {} ms", PERIOD_MS, e);
      }
    }
  }

  /** Stops the housekeeping and closes its connection. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(connection);
  }

  private static void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing the housekeeping connection failed", e);
    }
  }
}

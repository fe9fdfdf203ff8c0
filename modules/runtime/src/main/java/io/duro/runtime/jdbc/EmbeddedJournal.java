package io.duro.runtime.jdbc;

import com.typesafe.config.Config;
import io.duro.runtime.ForkSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the embedded H2 journal needs beyond its URL: a larger identity cache, the housekeeping that
 * H2 skips with {@code WRITE_DELAY=0}, and a full scan after a crash.
 *
 * <p>Why the housekeeping exists: H2's MVStore writes every commit as a new chunk of the file, and
 * its background thread, which moves the few live pages out of old chunks so that they can be
 * freed, only runs when commits are written lazily ({@code WRITE_DELAY} &gt; 0). Duro writes each
 * commit at once (so that an acknowledged write survives {@code kill -9}), so without
 * housekeeping no chunk is ever freed and the file grows by every commit. Every {@link
 * #PERIOD_MS} ms this class rewrites the live pages of the sparsest chunks (at most {@link
 * #REWRITE_BYTES} per round, until chunks are {@link #TARGET_FILL_PERCENT} % live), and fsyncs the
 * file every {@link #SYNC_EVERY} rounds. Commits wait while a round rewrites (it holds H2's store
 * lock), so rounds are small and frequent. Freed chunks are reused after {@link #RETENTION_MS} ms
 * (H2's default, {@link #H2_RETENTION_MS} ms, assumes the OS may take that long to write its
 * buffers, and left far more of the file unused). With {@code
 * duro.runtime.forks.embedded-journal-housekeeping} off, H2 runs with its own settings and none
 * of this.
 *
 * <p>Recovery after a crash ({@link #recoverIfNotClosedCleanly}): H2 opens a file that was not
 * closed cleanly by following the chain of chunks from its header, and that chain can break
 * where a commit reused freed space (H2 2.5.252 records the previous chunk in the header it
 * writes for such a commit). H2 then opens the newest chunk it can reach, an older state of the
 * database, without error: in tests of writers killed with {@code kill -9}, acknowledged commits
 * were lost this way, with H2's default retention as with this class's.
 * Before the database is opened, a file that was not closed cleanly is therefore opened by a
 * full scan of its chunks (H2's recovery mode), which finds the last commit, and closed again.
 * The node shuts the database down cleanly when it stops ({@link Lease#close}), so that a normal
 * restart does not need the scan. The embedded journal is durable across process crashes; a
 * power loss is not covered (freed chunks are overwritten soon after they were written):
 * PostgreSQL is.
 */
public final class EmbeddedJournal {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedJournal.class);

  /** Identity values H2 hands out per commit of its sequence; see {@link #tune}. */
  public static final int ORDERING_CACHE = 10_000;

  /** Housekeeping period. */
  static final long PERIOD_MS = 250;

  /** The file is fsynced every this many rounds (once a second). */
  static final int SYNC_EVERY = 4;

  /** Age after which a chunk without live pages may be overwritten. */
  static final int RETENTION_MS = 2_000;

  /** H2's own retention time, restored when the housekeeping is switched off. */
  public static final int H2_RETENTION_MS = 45_000;

  /** Chunks are rewritten until this share of their space is live. */
  static final int TARGET_FILL_PERCENT = 50;

  /** At most this many bytes of live pages rewritten per round. */
  static final int REWRITE_BYTES = 2 << 20;

  /** Size of each of the two blocks that hold H2's file header. */
  private static final int HEADER_BLOCK = 4096;

  /** The name of the housekeeping's thread. */
  public static final String HOUSEKEEPING_THREAD = "duro-journal-housekeeping";

  /** H2's suffix of the file behind a {@code jdbc:h2:file:} URL. */
  public static final String FILE_SUFFIX = ".mv.db";

  /** The journals open in this JVM, by file; guards {@link #users}. */
  private static final Map<Path, EmbeddedJournal> OPEN = new HashMap<>();

  private final Connection connection;
  /** Runs the housekeeping; null when it is switched off. */
  private final ScheduledExecutorService executor;
  private int users;
  private int rounds;
  private boolean failing;

  private EmbeddedJournal(Connection connection, ScheduledExecutorService executor) {
    this.connection = connection;
    this.executor = executor;
  }

  /**
   * Whether the node's journal is the embedded H2 file database.
   *
   * @param config the node's configuration
   * @return whether its journal URL is a {@code jdbc:h2:file:} URL
   */
  public static boolean isEmbedded(Config config) {
    String url = JdbcPools.DB + ".url";
    return config.hasPath(url) && config.getString(url).startsWith("jdbc:h2:file:");
  }

  /**
   * The file of the node's embedded journal.
   *
   * @param config the node's configuration
   * @return the H2 file its journal URL names; empty when the journal is not embedded
   */
  public static Optional<Path> file(Config config) {
    return isEmbedded(config)
        ? Optional.of(file(config.getString(JdbcPools.DB + ".url")))
        : Optional.empty();
  }

  /**
   * Makes the last commit of an embedded journal that was not closed cleanly ({@code kill -9},
   * a crash) the state H2 opens: scans the whole file for its newest complete chunk and closes it
   * cleanly (see the class comment for why H2's own opening can miss it). Does nothing when the
   * journal is not an embedded H2 file, when the file does not exist or was closed cleanly, or
   * when it cannot be opened here (locked by a running node, corrupt): opening the database then
   * reports that. Must run before anything opens the database.
   *
   * @param config the node's configuration
   * @return what was recovered, for the log; empty when nothing was done
   */
  public static Optional<String> recoverIfNotClosedCleanly(Config config) {
    Path file = file(config).orElse(null);
    if (file == null || !Files.isRegularFile(file) || closedCleanly(file)) {
      return Optional.empty();
    }
    long start = System.nanoTime();
    long version;
    try {
      MVStore store = new MVStore.Builder().fileName(file.toString()).recoveryMode().open();
      version = store.getCurrentVersion();
      store.close();
    } catch (RuntimeException e) {
      log.debug("the full scan of {} was not possible; H2 opens it as it is", file, e);
      return Optional.empty();
    }
    return Optional.of(
        "the journal "
            + file
            + " was not closed cleanly: a full scan found its last commit (version "
            + version
            + ") in "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
            + " ms");
  }

  /** The file of a {@code jdbc:h2:file:} URL: its path up to the first setting + {@code .mv.db}. */
  static Path file(String url) {
    String path = url.substring("jdbc:h2:file:".length());
    int settings = path.indexOf(';');
    if (settings >= 0) {
      path = path.substring(0, settings);
    }
    if (path.startsWith("~")) {
      path = System.getProperty("user.home") + path.substring(1);
    }
    return Path.of(path + FILE_SUFFIX);
  }

  /**
   * Whether both copies of the file's header say it was closed cleanly and agree on its
   * version, as H2 itself decides before it trusts the header.
   */
  public static boolean closedCleanly(Path file) {
    ByteBuffer blocks = ByteBuffer.allocate(2 * HEADER_BLOCK);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (blocks.hasRemaining() && channel.read(blocks) >= 0) {
        // until both blocks are read or the file ends
      }
    } catch (IOException e) {
      return false;
    }
    if (blocks.hasRemaining()) {
      return false;
    }
    byte[] bytes = blocks.array();
    Map<String, String> first = header(bytes, 0);
    Map<String, String> second = header(bytes, HEADER_BLOCK);
    return first != null
        && second != null
        && "1".equals(first.get("clean"))
        && "1".equals(second.get("clean"))
        && first.get("version") != null
        && first.get("version").equals(second.get("version"));
  }

  /**
   * One block of H2's file header ({@code key:value,...,fletcher:checksum} and a newline) as its
   * key/value map, or null when it does not parse or its checksum does not match.
   */
  private static Map<String, String> header(byte[] bytes, int offset) {
    int end = offset;
    while (end < offset + HEADER_BLOCK && bytes[end] != '\n') {
      end++;
    }
    String line = new String(bytes, offset, end - offset, StandardCharsets.ISO_8859_1);
    int checksum = line.lastIndexOf(",fletcher:");
    if (checksum < 0) {
      return null;
    }
    try {
      int expected = (int) Long.parseLong(line.substring(checksum + ",fletcher:".length()), 16);
      if (expected != DataUtils.getFletcher32(bytes, offset, checksum)) {
        return null;
      }
      return DataUtils.parseMap(line.substring(0, checksum));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Opens the embedded journal's database, tunes it (see {@link #tune}) and starts its
   * housekeeping, or joins the housekeeping already running for the same file in this JVM
   * (nodes of a test cluster in one JVM share one H2 database).
   *
   * @param config the node's configuration, with an embedded H2 journal
   * @return this runtime's share; the last share closed stops the housekeeping and shuts the
   *     database down
   * @throws IllegalStateException when the database cannot be opened or tuned
   */
  public static Lease start(Config config) {
    Path file = file(config).orElseThrow();
    synchronized (OPEN) {
      EmbeddedJournal journal = OPEN.get(file);
      if (journal == null) {
        journal = open(config);
        OPEN.put(file, journal);
      }
      journal.users++;
      return new Lease(journal, file);
    }
  }

  /** One runtime's share of an embedded journal; closing it twice does nothing. */
  public static final class Lease implements AutoCloseable {
    private final EmbeddedJournal journal;
    private final Path file;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Lease(EmbeddedJournal journal, Path file) {
      this.journal = journal;
      this.file = file;
    }

    /** Gives the share back; the last one shuts the journal down (see {@link #shutDown}). */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      synchronized (OPEN) {
        if (--journal.users > 0) {
          return;
        }
        OPEN.remove(file);
      }
      journal.shutDown();
    }
  }

  private static EmbeddedJournal open(Config config) {
    boolean housekeeping = ForkSettings.from(config).embeddedJournalHousekeeping();
    Connection c = null;
    MVStore store;
    try {
      c =
          DriverManager.getConnection(
              config.getString(JdbcPools.DB + ".url"),
              config.getString(JdbcPools.DB + ".user"),
              config.getString(JdbcPools.DB + ".password"));
      tune(c, housekeeping ? RETENTION_MS : H2_RETENTION_MS);
      if (!housekeeping) {
        return new EmbeddedJournal(c, null);
      }
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
              Thread t = new Thread(r, HOUSEKEEPING_THREAD);
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
   * commit writes a chunk, so one journal commit in about every 32 rows was doubled. The only
   * effect on data: a process crash leaves a gap of at most that many numbers in {@code
   * ordering}, which nothing in Duro reads and which Pekko Persistence Query tolerates (rolled-back
   * inserts leave gaps too). Also sets H2's retention time (see the class comment). Both are
   * idempotent and run at every start.
   */
  private static void tune(Connection c, int retentionMillis) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" SET CACHE " + ORDERING_CACHE);
      s.execute("SET RETENTION_TIME " + retentionMillis);
    }
  }

  private void housekeep(MVStore store) {
    if (store.isClosed()) {
      executor.shutdown();
      return;
    }
    try {
      store.compact(TARGET_FILL_PERCENT, REWRITE_BYTES);
      if (++rounds % SYNC_EVERY == 0) {
        store.sync();
      }
      if (failing) {
        failing = false;
        log.info("housekeeping of the embedded journal works again");
      }
    } catch (RuntimeException e) {
      if (store.isClosed()) {
        executor.shutdown();
      } else if (!failing) {
        failing = true; // logged once, not every round
        log.warn(
            "housekeeping of the embedded journal failed; tried again every {} ms", PERIOD_MS, e);
      } else {
        log.debug("housekeeping of the embedded journal failed again", e);
      }
    }
  }

  /**
   * Stops the housekeeping (its round in progress finishes: interrupting a thread in file I/O
   * would close H2's file channel for every connection) and shuts the database down, which
   * writes H2's clean-shutdown mark: connections still open fail from then on. Runs when the
   * last node using the file in this JVM shuts down, after its objects have stopped.
   */
  private void shutDown() {
    if (executor != null) {
      stopHousekeeping();
    }
    try (Statement s = connection.createStatement()) {
      s.execute("SHUTDOWN");
    } catch (SQLException e) {
      log.debug("shutting the embedded journal down failed (already closed?)", e);
    }
    closeQuietly(connection);
  }

  private void stopHousekeeping() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("the journal's housekeeping did not finish within 30 s; shutting down anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

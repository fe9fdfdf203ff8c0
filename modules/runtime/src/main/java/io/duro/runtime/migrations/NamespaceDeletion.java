package io.duro.runtime.migrations;

import io.duro.runtime.migrations.MigrationPlan.Namespace;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the objects of an application's deleted classes in the background, batch by batch
 * ({@link MigrationStore#deleteBatch}), logging the progress, until every namespace marked
 * {@code deleting} is {@code deleted}. Started on each node of the application at start, so a
 * deletion that a crash interrupted resumes on the next start; two nodes deleting the same class
 * at once only compete for the same rows. A database failure pauses it and it tries again.
 */
public final class NamespaceDeletion implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceDeletion.class);
  private static final long LOG_EVERY_MILLIS = 5_000;
  private static final long RETRY_MILLIS = 5_000;

  private final MigrationStore store;
  private final String app;
  private final MigrationSettings settings;
  private volatile boolean stopped;

  private NamespaceDeletion(MigrationStore store, String app, MigrationSettings settings) {
    this.store = store;
    this.app = app;
    this.settings = settings;
  }

  /**
   * Starts the deletions of an application on a daemon thread.
   *
   * @param store the database
   * @param app the application's name
   * @param settings batch size and pause
   * @return the running deletion ({@link #stop()} ends it after the current batch)
   */
  public static NamespaceDeletion start(MigrationStore store, String app, MigrationSettings settings) {
    NamespaceDeletion deletion = new NamespaceDeletion(store, app, settings);
    Thread thread = new Thread(deletion, "duro-namespace-deletion");
    thread.setDaemon(true);
    thread.start();
    return deletion;
  }

  /** Stops after the current batch (which commits or rolls back as a whole). */
  public void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    while (!stopped) {
      try {
        List<Namespace> pending = store.deleting(app);
        for (Namespace n : pending) {
          delete(n);
        }
        return;
      } catch (SQLException | RuntimeException e) {
        if (stopped) {
          return;
        }
        LOG.warn("Deleting the objects of deleted classes of application '{}' failed; trying"
            + " again in {} s: {}", app, RETRY_MILLIS / 1000, e.toString());
        sleep(RETRY_MILLIS);
      }
    }
  }

  private void delete(Namespace n) throws SQLException {
    LOG.info("Deleting the objects of class {} (namespace {}, migration '{}'): {} at {}",
        n.className(), n.key(), n.tag(), n.deletedObjects() == 0 ? "starting" : "resuming",
        progress(n));
    long lastLog = System.currentTimeMillis();
    while (!stopped) {
      Namespace now = store.deleteBatch(n.key(), settings.deleteBatchSize());
      if (now.status().equals(MigrationPlan.DELETED)) {
        LOG.info("Deleted the objects of class {} (namespace {}, migration '{}'): {}",
            now.className(), now.key(), now.tag(), progress(now));
        return;
      }
      if (System.currentTimeMillis() - lastLog >= LOG_EVERY_MILLIS) {
        lastLog = System.currentTimeMillis();
        LOG.info("Deleting the objects of class {} (namespace {}): {} so far", now.className(),
            now.key(), progress(now));
      }
      sleep(settings.deletePause().toMillis());
    }
  }

  private static String progress(Namespace n) {
    return n.deletedObjects() + " objects (" + n.deletedEvents() + " events, "
        + n.deletedSnapshots() + " snapshots), " + n.deletedAlarms() + " alarms removed";
  }

  private void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }
}

package io.duro.runtime.alarms;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import io.duro.runtime.jdbc.JdbcPools;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;

/**
 * The durable index of pending alarms: one row per object with an alarm, {@code (namespace,
 * object_id) → due_at}, in the journal's database (table {@code duro_alarm}, indexed by {@code
 * due_at}). The scheduler reads it by time in bounded pages to wake objects whose alarm is due, so
 * it never loads objects that have none.
 *
 * <p>Invariant kept by the object entity: if an object's durable storage holds an alarm at time T,
 * the index holds a row for it with {@code due_at ≤ T} (the row is written before the journal
 * event that sets the alarm, and corrected after it). A row without an alarm behind it only causes
 * a spurious wake-up, which the object answers by deleting the row. So an alarm is never lost and
 * never fires early: the object fires it from its own durable state, with a timer.
 *
 * <p>All calls are asynchronous, on a small dedicated thread pool (JDBC blocks).
 */
public final class AlarmIndex implements AutoCloseable {

  /**
   * One pending alarm.
   *
   * @param namespace the namespace key of the object's class
   * @param objectId the object's ID
   * @param dueAt when the index says to wake the object
   * @param retryCount failed runs so far
   */
  public record Entry(String namespace, String objectId, Instant dueAt, int retryCount) {}

  private final HikariDataSource dataSource;
  private final ExecutorService executor;
  private final boolean postgres;

  private AlarmIndex(HikariDataSource dataSource, ExecutorService executor, boolean postgres) {
    this.dataSource = dataSource;
    this.executor = executor;
    this.postgres = postgres;
  }

  /**
   * Opens the index in the journal's database and creates its table when missing.
   *
   * @param config the node's configuration ({@code pekko-persistence-jdbc.shared-databases.duro})
   * @param poolSize connections (and threads) for index queries
   * @return the index
   */
  public static AlarmIndex open(Config config, int poolSize) {
    JdbcPools pool = JdbcPools.open(config, "duro-alarm-index", poolSize);
    String url =
        config.getString("pekko-persistence-jdbc.shared-databases.duro.db.url");
    AlarmIndex index =
        new AlarmIndex(
            pool.dataSource(), pool.executor(), url.startsWith("jdbc:postgresql:"));
    try {
      pool.createTables(
          "CREATE TABLE IF NOT EXISTS duro_alarm ("
              + "namespace VARCHAR(255) NOT NULL, "
              + "object_id CHAR(64) NOT NULL, "
              + "due_at BIGINT NOT NULL, "
              + "retry_count INT NOT NULL, "
              + "PRIMARY KEY (namespace, object_id))",
          "CREATE INDEX IF NOT EXISTS duro_alarm_due ON duro_alarm (due_at)");
    } catch (SQLException e) {
      index.close();
      throw new IllegalStateException("Cannot create the alarm index table: " + e.getMessage(), e);
    }
    return index;
  }

  /**
   * Writes (or replaces) the row of an object.
   *
   * @param namespace the namespace key
   * @param objectId the object's ID
   * @param dueAtMillis when to wake it
   * @param retryCount failed runs so far
   * @return completes when the row is committed
   */
  public CompletionStage<Void> upsert(
      String namespace, String objectId, long dueAtMillis, int retryCount) {
    String sql =
        postgres
            ? "INSERT INTO duro_alarm (namespace, object_id, due_at, retry_count) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (namespace, object_id) DO UPDATE SET due_at = EXCLUDED.due_at,"
                + " retry_count = EXCLUDED.retry_count"
            : "MERGE INTO duro_alarm (namespace, object_id, due_at, retry_count)"
                + " KEY (namespace, object_id) VALUES (?, ?, ?, ?)";
    return run(
        c -> {
          try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, namespace);
            p.setString(2, objectId);
            p.setLong(3, dueAtMillis);
            p.setInt(4, retryCount);
            p.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Removes the row of an object, if any.
   *
   * @param namespace the namespace key
   * @param objectId the object's ID
   * @return completes when the delete is committed
   */
  public CompletionStage<Void> delete(String namespace, String objectId) {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement("DELETE FROM duro_alarm WHERE namespace = ? AND object_id = ?")) {
            p.setString(1, namespace);
            p.setString(2, objectId);
            p.executeUpdate();
          }
          return null;
        });
  }

  /**
   * The row of one object.
   *
   * @param namespace the namespace key
   * @param objectId the object's ID
   * @return the row, or empty
   */
  public CompletionStage<java.util.Optional<Entry>> get(String namespace, String objectId) {
    return run(
        c -> {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT due_at, retry_count FROM duro_alarm"
                      + " WHERE namespace = ? AND object_id = ?")) {
            p.setString(1, namespace);
            p.setString(2, objectId);
            try (ResultSet rs = p.executeQuery()) {
              return rs.next()
                  ? java.util.Optional.of(
                      new Entry(
                          namespace, objectId, Instant.ofEpochMilli(rs.getLong(1)), rs.getInt(2)))
                  : java.util.Optional.<Entry>empty();
            }
          }
        });
  }

  /**
   * Rows due at or before a time, in {@code (due_at, namespace, object_id)} order, starting after
   * a given row (keyset paging, so a scan over many due alarms makes progress page by page).
   *
   * @param dueBeforeMillis inclusive upper bound of {@code due_at}
   * @param after the last row of the previous page, or null for the first page
   * @param limit page size
   * @return the page
   */
  public CompletionStage<List<Entry>> due(long dueBeforeMillis, Entry after, int limit) {
    return run(
        c -> {
          String sql =
              after == null
                  ? "SELECT namespace, object_id, due_at, retry_count FROM duro_alarm"
                      + " WHERE due_at <= ? ORDER BY due_at, namespace, object_id LIMIT ?"
                  : "SELECT namespace, object_id, due_at, retry_count FROM duro_alarm"
                      + " WHERE due_at <= ? AND (due_at > ? OR (due_at = ? AND (namespace > ?"
                      + " OR (namespace = ? AND object_id > ?))))"
                      + " ORDER BY due_at, namespace, object_id LIMIT ?";
          try (PreparedStatement p = c.prepareStatement(sql)) {
            int i = 1;
            p.setLong(i++, dueBeforeMillis);
            if (after != null) {
              long afterMillis = after.dueAt().toEpochMilli();
              p.setLong(i++, afterMillis);
              p.setLong(i++, afterMillis);
              p.setString(i++, after.namespace());
              p.setString(i++, after.namespace());
              p.setString(i++, after.objectId());
            }
            p.setInt(i, limit);
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
              while (rs.next()) {
                entries.add(
                    new Entry(
                        rs.getString(1),
                        rs.getString(2),
                        Instant.ofEpochMilli(rs.getLong(3)),
                        rs.getInt(4)));
              }
            }
            return entries;
          }
        });
  }

  private interface Work<T> {
    T apply(Connection c) throws SQLException;
  }

  private <T> CompletionStage<T> run(Work<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            return work.apply(c);
          } catch (SQLException e) {
            throw new IllegalStateException("Alarm index query failed: " + e.getMessage(), e);
          }
        },
        executor);
  }

  /** Closes the connections and the threads. */
  @Override
  public void close() {
    executor.shutdown();
    dataSource.close();
  }
}

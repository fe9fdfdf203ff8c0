package io.duro.runtime.jdbc;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.duro.runtime.DuroRuntime;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small pool of connections to the journal's database, with as many daemon threads to run the
 * blocking JDBC calls on, for the tables Duro keeps beside the journal (alarm index, placement
 * directory).
 *
 * @param dataSource the connections
 * @param executor the threads, one per connection
 */
public record JdbcPools(HikariDataSource dataSource, ExecutorService executor) {

  /** Where the configuration names the journal's database. */
  public static final String DB = DuroRuntime.JOURNAL_DATABASE;

  /**
   * Opens a pool on {@code pekko-persistence-jdbc.shared-databases.duro.db}.
   *
   * @param config the node's configuration
   * @param name the pool's name, also the prefix of its threads' names
   * @param size connections and threads
   * @return the pool
   */
  public static JdbcPools open(Config config, String name, int size) {
    Config db = config.getConfig(DB);
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    if (db.hasPath("driver")) {
      hikari.setDriverClassName(db.getString("driver"));
    }
    hikari.setMaximumPoolSize(size);
    hikari.setMinimumIdle(1);
    hikari.setPoolName(name);
    hikari.setConnectionTimeout(10_000);
    HikariDataSource dataSource = new HikariDataSource(hikari);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            size,
            r -> {
              Thread t = new Thread(r, name + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return new JdbcPools(dataSource, executor);
  }

  /** Tries of {@link #createTables} in all. */
  static final int CREATE_ATTEMPTS = 5;

  /**
   * Runs {@code CREATE ... IF NOT EXISTS} statements, tried again (up to {@link #CREATE_ATTEMPTS}
   * times, 200 ms, 400 ms ... apart) when one fails: on PostgreSQL, IF NOT EXISTS does not protect
   * two nodes that create the same table at the same moment on an empty database; the loser fails
   * with a duplicate key in {@code pg_type} (or "already exists") and finds the table the next
   * time.
   *
   * @param statements the statements, run in order on one connection
   * @throws SQLException the last failure when every attempt failed
   */
  public void createTables(String... statements) throws SQLException {
    retryingCreate(
        () -> {
          try (Connection c = dataSource.getConnection();
              Statement s = c.createStatement()) {
            for (String statement : statements) {
              s.execute(statement);
            }
          }
        });
  }

  /** Database work that may throw {@link SQLException}. */
  @FunctionalInterface
  public interface SqlWork {
    /**
     * Runs the work.
     *
     * @throws SQLException when it failed
     */
    void run() throws SQLException;
  }

  /**
   * Runs work that creates tables or rows other nodes may create at the same moment, tried again
   * (up to {@link #CREATE_ATTEMPTS} times, 200 ms, 400 ms ... apart) when it fails.
   *
   * @param work the work; it must be safe to run again after a failure
   * @throws SQLException the last failure when every attempt failed
   */
  public static void retryingCreate(SqlWork work) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        work.run();
        return;
      } catch (SQLException e) {
        if (attempt >= CREATE_ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}

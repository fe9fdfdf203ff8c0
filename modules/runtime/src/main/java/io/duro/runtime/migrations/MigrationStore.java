package io.duro.runtime.migrations;

import com.typesafe.config.Config;
import io.duro.runtime.Application;
import io.duro.runtime.jdbc.JdbcPools;
import io.duro.runtime.migrations.MigrationPlan.Applied;
import io.duro.runtime.migrations.MigrationPlan.Delete;
import io.duro.runtime.migrations.MigrationPlan.Introduce;
import io.duro.runtime.migrations.MigrationPlan.MarkApplied;
import io.duro.runtime.migrations.MigrationPlan.Namespace;
import io.duro.runtime.migrations.MigrationPlan.Rename;
import io.duro.runtime.migrations.MigrationPlan.Step;
import io.duro.runtime.migrations.MigrationPlan.Transfer;
import io.duro.runtime.placement.Placement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrations' tables in the journal database (H2 or PostgreSQL): {@code duro_migration}, the
 * applied migrations of each application in order; {@code duro_namespace}, each class's namespace
 * key, owner and deletion progress; and {@code duro_migration_lock}, one row that a node locks
 * ({@code SELECT ... FOR UPDATE}) while it compares and applies, so that of several nodes
 * starting together exactly one applies a new migration and the others, once it commits, find it
 * applied. Planning happens under the lock and before any write; a refused manifest rolls back
 * and leaves the database as it was.
 *
 * <p>Also removes the objects of deleted classes in batches ({@link #deleteBatch}), each batch one
 * transaction together with its progress counters, so a crash loses no count and the next start
 * resumes where the last committed batch ended.
 */
public final class MigrationStore {

  private static final Logger LOG = LoggerFactory.getLogger(MigrationStore.class);

  private final String url;
  private final String user;
  private final String password;
  private final boolean postgres;

  private MigrationStore(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.postgres = url.startsWith("jdbc:postgresql:");
  }

  /**
   * The store of the journal database a configuration names.
   *
   * @param config the node's configuration
   * @return the store (it opens a connection per call)
   */
  public static MigrationStore of(Config config) {
    Config db = config.getConfig(JdbcPools.DB);
    if (db.hasPath("driver")) {
      try {
        Class.forName(db.getString("driver"));
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("JDBC driver " + db.getString("driver") + " not found", e);
      }
    }
    return new MigrationStore(
        db.getString("url"),
        db.hasPath("user") ? db.getString("user") : "",
        db.hasPath("password") ? db.getString("password") : "");
  }

  /**
   * The JDBC URL.
   *
   * @return the URL of the journal database
   */
  public String url() {
    return url;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /**
   * Applies the pending migrations of an application, under the cluster-wide lock.
   *
   * @param app the application (with migrations)
   * @param appliedBy the node, recorded with each migration it applies
   * @param lockTimeout how long to wait for another node that holds the lock
   * @return the plan that was carried out (no steps when another node applied everything)
   * @throws MigrationException when the manifest does not fit the database (nothing written)
   * @throws IllegalStateException when the database fails
   */
  public MigrationPlan apply(Application app, String appliedBy, Duration lockTimeout) {
    try (Connection c = connect()) {
      createTables(c);
      c.setAutoCommit(false);
      try {
        lock(c, lockTimeout);
        MigrationPlan plan = MigrationPlan.of(app, applied(c, app.name()), namespaces(c));
        long now = System.currentTimeMillis();
        for (Step step : plan.steps()) {
          write(c, app.name(), step, appliedBy, now);
        }
        c.commit();
        for (Step step : plan.steps()) {
          LOG.info("Migration '{}' of application '{}' applied: {}", step.tag(), app.name(),
              step.describe());
        }
        if (plan.steps().isEmpty()) {
          LOG.info("Migrations of application '{}': all {} applied already ({})", app.name(),
              plan.applied().size(), String.join(", ", plan.applied()));
        }
        return plan;
      } catch (RuntimeException | SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("the migrations cannot be applied to " + url + ": "
          + e.getMessage() + (isLockTimeout(e) ? " (another node has held the migration lock"
          + " for longer than duro.migrations.lock-timeout = " + lockTimeout.toSeconds() + " s)"
          : ""), e);
    }
  }

  /**
   * Plans without writing anything (no tables are created): what {@link #apply} would do now.
   *
   * @param app the application (with migrations)
   * @return the plan
   * @throws MigrationException when the manifest does not fit the database
   */
  public MigrationPlan dryRun(Application app) {
    try (Connection c = connect()) {
      c.setReadOnly(true);
      if (!tablesExist(c)) {
        return MigrationPlan.of(app, List.of(), List.of());
      }
      return MigrationPlan.of(app, applied(c, app.name()), namespaces(c));
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the journal database " + url + " cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The applied migrations and the namespaces of an application, for operators.
   *
   * @param app the application's name
   * @return the applied migrations (in order) and namespaces (empty when no tables exist)
   * @throws SQLException when the database fails
   */
  public MigrationStatus status(String app) throws SQLException {
    try (Connection c = connect()) {
      if (!tablesExist(c)) {
        return new MigrationStatus(app, List.of(), List.of());
      }
      return new MigrationStatus(app, applied(c, app),
          namespaces(c).stream().filter(n -> n.app().equals(app)).toList());
    }
  }

  /**
   * The namespaces of an application whose deletion has not finished.
   *
   * @param app the application's name
   * @return the namespaces
   * @throws SQLException when the database fails
   */
  List<Namespace> deleting(String app) throws SQLException {
    try (Connection c = connect()) {
      return namespaces(c).stream()
          .filter(n -> n.app().equals(app) && n.status().equals(MigrationPlan.DELETING))
          .toList();
    }
  }

  /**
   * Removes one batch of a deleted class's data in one transaction: up to {@code batchSize}
   * placement rows, alarm rows and objects (all events and snapshots of each), and adds the counts to the namespace's
   * progress. When nothing is left the namespace becomes {@code deleted}.
   *
   * @param key the namespace key
   * @param batchSize objects and alarm rows per batch
   * @return the namespace after the batch
   * @throws SQLException when the database fails (the batch is rolled back)
   */
  Namespace deleteBatch(String key, int batchSize) throws SQLException {
    String pattern = key.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "|%";
    try (Connection c = connect()) {
      // The placement directory may not exist yet when a migration runs on a new database.
      Placement.createTable(c);
      c.setAutoCommit(false);
      try {
        int placements = deleteFirstObjects(c, "duro_placement", key, batchSize);
        int alarms = deleteFirstObjects(c, "duro_alarm", key, batchSize);
        List<String> objects = persistenceIds(c, "\"event_journal\"", pattern, batchSize);
        int events = deleteAll(c, "\"event_journal\"", objects);
        int snapshots = deleteAll(c, "\"snapshot\"", objects);
        if (objects.size() < batchSize) {
          // Objects with snapshots and no events left (none today, but cheap to cover).
          snapshots += deleteAll(
              c, "\"snapshot\"", persistenceIds(c, "\"snapshot\"", pattern, batchSize));
        }
        boolean done = placements == 0 && alarms == 0 && objects.isEmpty() && snapshots == 0;
        try (PreparedStatement p = c.prepareStatement(
            "UPDATE duro_namespace SET deleted_objects = deleted_objects + ?, deleted_events ="
                + " deleted_events + ?, deleted_snapshots = deleted_snapshots + ?,"
                + " deleted_alarms = deleted_alarms + ?, status = ?, updated_at = ?"
                + " WHERE namespace_key = ?")) {
          p.setLong(1, objects.size());
          p.setLong(2, events);
          p.setLong(3, snapshots);
          p.setLong(4, alarms);
          p.setString(5, done ? MigrationPlan.DELETED : MigrationPlan.DELETING);
          p.setLong(6, System.currentTimeMillis());
          p.setString(7, key);
          p.executeUpdate();
        }
        c.commit();
        return namespaces(c).stream().filter(n -> n.key().equals(key)).findFirst().orElseThrow();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Deletes the rows of a namespace's first {@code limit} objects from a per-object table. */
  private static int deleteFirstObjects(Connection c, String table, String key, int limit)
      throws SQLException {
    try (PreparedStatement p = c.prepareStatement("DELETE FROM " + table
        + " WHERE namespace = ? AND object_id IN (SELECT object_id FROM " + table
        + " WHERE namespace = ? ORDER BY object_id LIMIT ?)")) {
      p.setString(1, key);
      p.setString(2, key);
      p.setInt(3, limit);
      return p.executeUpdate();
    }
  }

  private static List<String> persistenceIds(
      Connection c, String table, String pattern, int limit) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT \"persistence_id\" FROM "
        + table + " WHERE \"persistence_id\" LIKE ? ESCAPE '!' LIMIT ?")) {
      p.setString(1, pattern);
      p.setInt(2, limit);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  private static int deleteAll(Connection c, String table, List<String> ids) throws SQLException {
    int n = 0;
    try (PreparedStatement p =
        c.prepareStatement("DELETE FROM " + table + " WHERE \"persistence_id\" = ?")) {
      for (String id : ids) {
        p.setString(1, id);
        n += p.executeUpdate();
      }
    }
    return n;
  }

  private void lock(Connection c, Duration timeout) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(postgres
          ? "SET LOCAL lock_timeout = '" + timeout.toMillis() + "ms'"
          : "SET LOCK_TIMEOUT " + timeout.toMillis());
      s.executeQuery("SELECT id FROM duro_migration_lock WHERE id = 1 FOR UPDATE").close();
    }
  }

  private static boolean isLockTimeout(SQLException e) {
    return "55P03".equals(e.getSQLState()) || "HYT00".equals(e.getSQLState());
  }

  private static boolean tablesExist(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT COUNT(*) FROM duro_namespace WHERE 1 = 0").close();
      s.executeQuery("SELECT COUNT(*) FROM duro_migration WHERE 1 = 0").close();
      return true;
    } catch (SQLException e) {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
      return false;
    }
  }

  /** Creates the tables and the lock row; retried, because nodes may start together. */
  private static void createTables(Connection c) throws SQLException {
    // Another node may create a table or the lock row at the same moment: then look again.
    JdbcPools.retryingCreate(
        () -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS duro_migration_lock (id INT NOT NULL PRIMARY KEY)");
            s.execute("CREATE TABLE IF NOT EXISTS duro_migration ("
                + "app VARCHAR(64) NOT NULL, seq_no INT NOT NULL, tag VARCHAR(255) NOT NULL, "
                + "definition VARCHAR(100000) NOT NULL, applied_at BIGINT NOT NULL, "
                + "applied_by VARCHAR(255) NOT NULL, "
                + "PRIMARY KEY (app, seq_no), UNIQUE (app, tag))");
            s.execute("CREATE TABLE IF NOT EXISTS duro_namespace ("
                + "namespace_key VARCHAR(255) NOT NULL PRIMARY KEY, app VARCHAR(64) NOT NULL, "
                + "class_name VARCHAR(255) NOT NULL, status VARCHAR(16) NOT NULL, "
                + "tag VARCHAR(255) NOT NULL, updated_at BIGINT NOT NULL, "
                + "deleted_objects BIGINT DEFAULT 0 NOT NULL, "
                + "deleted_events BIGINT DEFAULT 0 NOT NULL, "
                + "deleted_snapshots BIGINT DEFAULT 0 NOT NULL, "
                + "deleted_alarms BIGINT DEFAULT 0 NOT NULL)");
            boolean present;
            try (ResultSet rs = s.executeQuery("SELECT id FROM duro_migration_lock WHERE id = 1")) {
              present = rs.next();
            }
            if (!present) {
              s.execute("INSERT INTO duro_migration_lock (id) VALUES (1)");
            }
          }
        });
  }

  private static List<Applied> applied(Connection c, String app) throws SQLException {
    List<Applied> applied = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement("SELECT seq_no, tag, definition, applied_at,"
        + " applied_by FROM duro_migration WHERE app = ? ORDER BY seq_no")) {
      p.setString(1, app);
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          applied.add(new Applied(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4),
              rs.getString(5)));
        }
      }
    }
    return applied;
  }

  private static List<Namespace> namespaces(Connection c) throws SQLException {
    List<Namespace> namespaces = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT namespace_key, app, class_name, status, tag,"
            + " deleted_objects, deleted_events, deleted_snapshots, deleted_alarms"
            + " FROM duro_namespace ORDER BY app, class_name, namespace_key")) {
      while (rs.next()) {
        namespaces.add(new Namespace(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8),
            rs.getLong(9)));
      }
    }
    return namespaces;
  }

  private static void write(Connection c, String app, Step step, String appliedBy, long now)
      throws SQLException {
    if (step instanceof Introduce i) {
      update(c, "INSERT INTO duro_namespace (namespace_key, app, class_name, status, tag,"
          + " updated_at) VALUES (?, ?, ?, ?, ?, ?)", i.key(), app, i.className(),
          MigrationPlan.ACTIVE, i.tag(), now);
    } else if (step instanceof Rename r) {
      update(c, "UPDATE duro_namespace SET class_name = ?, tag = ?, updated_at = ?"
          + " WHERE namespace_key = ? AND status = ?", r.to(), r.tag(), now, r.key(),
          MigrationPlan.ACTIVE);
    } else if (step instanceof Delete d) {
      update(c, "UPDATE duro_namespace SET status = ?, tag = ?, updated_at = ?"
          + " WHERE namespace_key = ? AND status = ?", MigrationPlan.DELETING, d.tag(), now,
          d.key(), MigrationPlan.ACTIVE);
    } else if (step instanceof Transfer t) {
      update(c, "UPDATE duro_namespace SET app = ?, class_name = ?, tag = ?, updated_at = ?"
          + " WHERE namespace_key = ? AND status = ?", t.toApp(), t.to(), t.tag(), now, t.key(),
          MigrationPlan.ACTIVE);
    } else if (step instanceof MarkApplied r) {
      update(c, "INSERT INTO duro_migration (app, seq_no, tag, definition, applied_at,"
          + " applied_by) VALUES (?, ?, ?, ?, ?, ?)", app, r.position(), r.tag(), r.definition(),
          now, appliedBy);
    }
  }

  private static void update(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        p.setObject(i + 1, values[i]);
      }
      if (p.executeUpdate() != 1) {
        throw new SQLException("expected to change one row: " + sql);
      }
    }
  }
}

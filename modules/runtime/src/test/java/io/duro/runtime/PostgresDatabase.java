package io.duro.runtime;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A fresh database on the local PostgreSQL server (127.0.0.1:5432, user {@code postgres}, trust
 * auth), created for one test class and dropped by {@link #close()}.
 */
public final class PostgresDatabase implements AutoCloseable {

  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  public static final String USER = "postgres";

  final String name;

  private PostgresDatabase(String name) {
    this.name = name;
  }

  public static PostgresDatabase create() throws SQLException {
    String name = "duro_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(SERVER + "test", USER, "")) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
    return new PostgresDatabase(name);
  }

  public String url() {
    return SERVER + name;
  }

  /** The config overlay that points the journal at this database (over deploy/postgres.conf). */
  String overrides() {
    return "pekko-persistence-jdbc.shared-databases.duro.db.url = \""
        + url()
        + "\"\npekko-persistence-jdbc.shared-databases.duro.db.user = \""
        + USER
        + "\"\n";
  }

  long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(), USER, "");
        var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(SERVER + "test", USER, "")) {
      c.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}

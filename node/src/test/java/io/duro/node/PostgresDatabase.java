package io.duro.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * A fresh database on the local PostgreSQL server (127.0.0.1:5432, user {@code postgres}, trust
 * auth; or on a server a test started, {@link PostgresServer}) for one test, dropped by {@link
 * #close()}; and the node configuration that uses it: the documented overlay {@code
 * deploy/postgres.conf} with this database's URL and user.
 */
final class PostgresDatabase implements AutoCloseable {

  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";
  static final String USER = "postgres";
  static final Path OVERLAY = Path.of("../deploy/postgres.conf");

  final String name;
  private final String server;
  private final String maintenance;

  private PostgresDatabase(String server, String maintenance, String name) {
    this.server = server;
    this.maintenance = maintenance;
    this.name = name;
  }

  static PostgresDatabase create() throws SQLException {
    return create(SERVER, "test");
  }

  /**
   * Creates a fresh database on a server.
   *
   * @param server a JDBC URL ending with {@code /}, e.g. {@code jdbc:postgresql://127.0.0.1:5432/}
   * @param maintenance a database of that server to connect to for CREATE and DROP DATABASE
   */
  static PostgresDatabase create(String server, String maintenance) throws SQLException {
    String name = "duro_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(server + maintenance, USER, "")) {
      c.createStatement().execute("CREATE DATABASE " + name);
    }
    return new PostgresDatabase(server, maintenance, name);
  }

  String url() {
    return server + name;
  }

  /** Writes a {@code --config} file: deploy/postgres.conf pointed at this database, plus extra. */
  Path configFile(Path dir, String extra) throws IOException {
    String text =
        Files.readString(OVERLAY)
            + "\npekko-persistence-jdbc.shared-databases.duro.db.url = \""
            + url()
            + "\"\npekko-persistence-jdbc.shared-databases.duro.db.user = \""
            + USER
            + "\"\n"
            + extra
            + "\n";
    return Files.writeString(Files.createTempFile(dir, "node-", ".conf"), text);
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(server + maintenance, USER, "")) {
      c.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }
}

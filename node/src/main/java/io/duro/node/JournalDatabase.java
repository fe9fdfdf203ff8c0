package io.duro.node;

import com.typesafe.config.Config;
import io.duro.runtime.DuroRuntime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Connects once to a server journal database (PostgreSQL) before the actor system starts, so a
 * wrong URL, user, password or a missing database stops the node within seconds with the
 * database's own reason, instead of after the connection pool's retries. The embedded H2 journal
 * is checked by {@link DataDirectory} instead.
 */
final class JournalDatabase {

  static final String DB = DuroRuntime.JOURNAL_DATABASE;
  static final int LOGIN_TIMEOUT_SECONDS = 10;

  private JournalDatabase() {}

  /**
   * Checks that the journal database accepts a connection.
   *
   * @param config the node's configuration
   * @throws IllegalStateException naming the URL, the user and the database's reason
   */
  static void checkReachable(Config config) {
    if (!config.hasPath(DB + ".url")) {
      return;
    }
    Config db = config.getConfig(DB);
    String url = db.getString("url");
    if (url.startsWith("jdbc:h2:")) {
      return;
    }
    String user = db.hasPath("user") ? db.getString("user") : "";
    DriverManager.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
    String password = db.hasPath("password") ? db.getString("password") : "";
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      c.createStatement().execute("SELECT 1");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the journal cannot be opened: the database "
              + url
              + " refused user '"
              + user
              + "' or could not be reached within "
              + LOGIN_TIMEOUT_SECONDS
              + " s: "
              + e.getMessage()
              + " (set "
              + DB
              + ".url/user/password, or DURO_DB_URL/DURO_DB_USER/DURO_DB_PASSWORD with"
              + " deploy/postgres.conf)",
          e);
    }
  }
}

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * Writes N pending alarm rows, due a year from now, straight into a stopped node's alarm index
 * (the duro_alarm table of its H2 journal), to measure what a large number of pending alarms
 * costs a running node. Usage: java -cp duro-node.jar InsertPendingAlarms.java DATA_DIR N
 */
public class InsertPendingAlarms {
  public static void main(String[] args) throws Exception {
    String url = "jdbc:h2:file:" + args[0] + "/duro;WRITE_DELAY=0";
    int n = Integer.parseInt(args[1]);
    long due = System.currentTimeMillis() + 365L * 24 * 3600 * 1000;
    try (Connection c = DriverManager.getConnection(url, "duro", "")) {
      c.setAutoCommit(false);
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO duro_alarm (namespace, object_id, due_at, retry_count) VALUES (?, ?, ?, 0)")) {
        for (int i = 0; i < n; i++) {
          p.setString(1, "io.duro.examples.Reminder");
          p.setString(2, String.format("%064x", i));
          p.setLong(3, due + i);
          p.addBatch();
          if (i % 10_000 == 9_999) {
            p.executeBatch();
            c.commit();
          }
        }
        p.executeBatch();
        c.commit();
      }
    }
  }
}

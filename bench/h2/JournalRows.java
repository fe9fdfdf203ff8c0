import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.UUID;

/**
 * Cost of writing journal rows into the embedded H2 database, without the node: the table and
 * indexes of Pekko Persistence JDBC's H2 schema, rows shaped like Duro's (a 76-character
 * persistence ID, a 60-byte event), inserted in batches of {@code batch} rows per commit over
 * {@code objects} persistence IDs, with WRITE_DELAY=0 as the node uses. Prints microseconds per
 * row and per commit for three 5-second rounds after 20 rows per object were written, then the
 * microseconds per read of a random object's rows over 5 seconds, for three reads (below).
 *
 * <p>Run as a single-file program with H2 on the class path (bench/h2-journal-rows.sh does):
 * {@code java -cp h2.jar JournalRows.java SCHEMA BATCH OBJECTS [URL-SUFFIX]}, SCHEMA one of
 *
 * <ul>
 *   <li>{@code plugin}: the schema as the plugin ships it (identity cache: H2's default, 32);
 *   <li>{@code duro}: the same after Duro's start-up change, the identity cache set to 10,000;
 *   <li>{@code lean}: a trial, not used by Duro: {@code ordering} as the primary key (H2 then
 *       keys the rows by it instead of a hidden row ID, and needs no index of its own on it) and
 *       a unique index on persistence ID and sequence number: two B-trees per row instead of four.
 *   <li>{@code covering}: a trial, not used by Duro: {@code duro} with the payloads as {@code
 *       VARBINARY} and an index on persistence ID, sequence number and every other column, from
 *       which H2 answers a wake's query without fetching the rows (kept in insertion order, one
 *       page per row of an object).
 * </ul>
 *
 * <p>The reads: every row of an object (the query of a wake before images), its newest row by
 * {@code ORDER BY ... DESC LIMIT 1}, and its newest row by its highest sequence number (the
 * query of {@code DuroJdbcJournal}'s first window). The payload's size in bytes is the system
 * property {@code payload} (default 60).
 *
 * <p>URL-SUFFIX is added to the H2 URL, e.g. {@code ";PAGE_SIZE=8192"}.
 */
public class JournalRows {
  public static void main(String[] args) throws Exception {
    String schema = args[0];
    int batch = Integer.parseInt(args[1]);
    int objects = Integer.parseInt(args[2]);
    Path dir = Files.createTempDirectory("duro-h2rows");
    String url =
        "jdbc:h2:file:" + dir + "/db;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
            + (args.length > 3 ? args[3] : "");
    try {
      run(url, schema, batch, objects);
    } finally {
      // H2 keeps the chunks of recent commits (45 s retention): gigabytes after one run.
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(String url, String schema, int batch, int objects) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      Statement s = c.createStatement();
      if (!schema.equals("plugin") && !schema.equals("duro") && !schema.equals("lean")
          && !schema.equals("covering")) {
        throw new IllegalArgumentException(
            "schema must be plugin, duro, lean or covering, not " + schema);
      }
      boolean lean = schema.equals("lean");
      s.execute(
          "CREATE TABLE \"event_journal\" (\"ordering\" BIGINT"
              + (lean
                  ? " NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                  : " UNIQUE NOT NULL AUTO_INCREMENT,")
              + " \"deleted\" BOOLEAN DEFAULT false NOT NULL, \"persistence_id\" VARCHAR(255) NOT"
              + " NULL, \"sequence_number\" BIGINT NOT NULL, \"writer\" VARCHAR NOT NULL,"
              + " \"write_timestamp\" BIGINT NOT NULL, \"adapter_manifest\" VARCHAR NOT NULL,"
              + " \"event_payload\" BLOB NOT NULL, \"event_ser_id\" INTEGER NOT NULL,"
              + " \"event_ser_manifest\" VARCHAR NOT NULL, \"meta_payload\" BLOB, \"meta_ser_id\""
              + " INTEGER, \"meta_ser_manifest\" VARCHAR, "
              + (lean ? "UNIQUE" : "PRIMARY KEY")
              + "(\"persistence_id\", \"sequence_number\"))");
      if (!lean) {
        s.execute(
            "CREATE UNIQUE INDEX \"event_journal_ordering_idx\" on \"event_journal\""
                + " (\"ordering\")");
      }
      if (!schema.equals("plugin")) {
        s.execute("ALTER TABLE \"event_journal\" ALTER COLUMN \"ordering\" SET CACHE 10000");
      }
      if (schema.equals("covering")) {
        s.execute(
            "ALTER TABLE \"event_journal\" ALTER COLUMN \"event_payload\" SET DATA TYPE"
                + " VARBINARY");
        s.execute(
            "ALTER TABLE \"event_journal\" ALTER COLUMN \"meta_payload\" SET DATA TYPE"
                + " VARBINARY");
      }
      if (schema.equals("covering")) {
        s.execute(
            "CREATE INDEX \"event_journal_replay_idx\" ON \"event_journal\" (\"persistence_id\","
                + " \"sequence_number\", \"deleted\", \"writer\", \"write_timestamp\","
                + " \"adapter_manifest\", \"event_ser_id\", \"event_ser_manifest\","
                + " \"event_payload\", \"meta_ser_id\", \"meta_ser_manifest\", \"meta_payload\")");
      }
      try (var rs =
          s.executeQuery(
              "SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES"
                  + " WHERE TABLE_NAME = 'event_journal'")) {
        rs.next();
        System.out.printf(
            "schema=%s: %d indexes (a BIGINT primary key is the rows' own B-tree)%n",
            schema, rs.getInt(1));
      }
      c.setAutoCommit(false);
      PreparedStatement insert =
          c.prepareStatement(
              "insert into \"event_journal\" (\"deleted\", \"persistence_id\","
                  + " \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\","
                  + " \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") values"
                  + " (?,?,?,?,?,?,?,?,?)");
      long[] seq = new long[objects];
      Random random = new Random(1);
      byte[] payload = new byte[Integer.getInteger("payload", 60)];
      random.nextBytes(payload);
      String writer = UUID.randomUUID().toString();
      for (int round = 0; round < 20; round++) {
        for (int i = 0; i < objects; i++) {
          add(insert, i, ++seq[i], writer, payload);
        }
        insert.executeBatch();
        c.commit();
      }
      for (int round = 0; round < 3; round++) {
        long start = System.nanoTime();
        long end = start + 5_000_000_000L;
        int rows = 0;
        while (System.nanoTime() < end) {
          for (int k = 0; k < batch; k++) {
            int i = random.nextInt(objects);
            add(insert, i, ++seq[i], writer, payload);
            rows++;
          }
          insert.executeBatch();
          c.commit();
        }
        double perRow = (System.nanoTime() - start) / 1000.0 / rows;
        System.out.printf(
            "schema=%s batch=%d objects=%d: %.1f us/row, %.1f us/commit%n",
            schema, batch, objects, perRow, perRow * batch);
      }
      String columns =
          "SELECT \"sequence_number\", \"deleted\", \"writer\", \"write_timestamp\","
              + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
              + " \"event_ser_manifest\", \"meta_payload\", \"meta_ser_id\","
              + " \"meta_ser_manifest\" FROM \"event_journal\" WHERE \"persistence_id\" = ?"
              + " AND \"sequence_number\" >= ? ORDER BY \"sequence_number\"";
      read(c, schema, objects, random, "all rows", columns + " LIMIT 2001");
      read(c, schema, objects, random, "the newest row", columns + " DESC LIMIT 1");
      read(
          c,
          schema,
          objects,
          random,
          "the newest row by its number",
          columns
              .replace(
                  ">= ?",
                  ">= GREATEST(?2, (SELECT MAX(\"sequence_number\") FROM \"event_journal\""
                      + " WHERE \"persistence_id\" = ?1))")
              .replace("\"persistence_id\" = ? AND", "\"persistence_id\" = ?1 AND"));
    }
  }

  /** Reads the rows the query selects of random objects for 5 seconds; prints its plan and cost. */
  private static void read(
      Connection c, String schema, int objects, Random random, String what, String query)
      throws SQLException {
    String explain =
        "EXPLAIN "
            + query
                .replace("?2", "0")
                .replace(">= ?", ">= 0")
                .replace("?1", "''")
                .replace("= ?", "= ''");
    try (Statement s = c.createStatement();
        var rs = s.executeQuery(explain)) {
      rs.next();
      System.out.println(
          "schema=" + schema + " plan: " + rs.getString(1).replaceAll("\\s+", " "));
    }
    PreparedStatement select = c.prepareStatement(query);
    long start = System.nanoTime();
    long end = start + 5_000_000_000L;
    int reads = 0;
    long rowsRead = 0;
    while (System.nanoTime() < end) {
      select.setString(1, persistenceId(random.nextInt(objects)));
      select.setLong(2, 0);
      try (var rs = select.executeQuery()) {
        while (rs.next()) {
          rs.getBytes(6);
          rowsRead++;
        }
      }
      reads++;
    }
    System.out.printf(
        "schema=%s objects=%d: %.1f us/read of %s (%.1f rows)%n",
        schema,
        objects,
        (System.nanoTime() - start) / 1000.0 / reads,
        what,
        rowsRead / (double) reads);
  }

  /** A persistence ID shaped like Duro's: a namespace key, "|", a 64-hex-digit object ID. */
  private static String persistenceId(int object) {
    return "c0ffee01|" + String.format("%064x", object);
  }

  private static void add(
      PreparedStatement insert, int object, long seqNr, String writer, byte[] payload)
      throws SQLException {
    insert.setBoolean(1, false);
    insert.setString(2, persistenceId(object));
    insert.setLong(3, seqNr);
    insert.setString(4, writer);
    insert.setLong(5, System.currentTimeMillis());
    insert.setString(6, "");
    insert.setBytes(7, payload);
    insert.setInt(8, 33);
    insert.setString(9, "T");
    insert.addBatch();
  }
}

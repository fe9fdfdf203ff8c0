package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import io.duro.runtime.internal.JournalSerializer;
import io.duro.runtime.jdbc.DuroJdbcJournal;
import io.duro.runtime.jdbc.EmbeddedJournal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Recovery from snapshots and events, across passivation and a full restart of the node. */
class RecoveryTest {

  @TempDir Path dataDir;

  static final ObjectBinding PROBE = ObjectBinding.of("probe", TestObjects.Probe.class);
  static final Application APP = Application.of(PROBE);

  static Response call(Stub stub, String path) throws Exception {
    return stub.fetch(Request.post(path, "")).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /**
   * Written with Duro's journal recovery on, recovered with it on or off (the plugin's own
   * replay): either reads what the other wrote.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void stateRecoveredFromSnapshotAndLaterEventsEqualsTheStateBeforeRestart(
      boolean journalRecovery) throws Exception {
    Map<?, ?> before;
    try (RuntimeFixture node =
        RuntimeFixture.start(dataDir, "duro.runtime.snapshot-every = 5", APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("snap");
      for (int i = 0; i < 23; i++) {
        call(stub, "/increment"); // one write per turn, one event each: snapshots at 5,10,15,20
      }
      call(stub, "/sync");
      before = call(stub, "/keys").json(Map.class);
    }
    assertTrue(snapshotRows() > 0, "a snapshot was written");
    try (RuntimeFixture node =
        RuntimeFixture.start(
            dataDir,
            "duro.runtime.snapshot-every = 5\nduro.runtime.forks.journal-recovery = "
                + journalRecovery,
            APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("snap");
      long rows = DuroJdbcJournal.rowsRead();
      assertEquals(before, call(stub, "/keys").json(Map.class));
      if (!journalRecovery) {
        assertEquals(rows, DuroJdbcJournal.rowsRead(), "recovered by the plugin's queries alone");
      }
      assertEquals(24L, ((Number) before.get("value")).longValue());
      assertEquals("{\"value\":25}", call(stub, "/increment").text());
    }
  }

  @Test
  void passivatedObjectIsRecreatedWithItsStorage() throws Exception {
    try (RuntimeFixture node =
        RuntimeFixture.start(dataDir, "duro.runtime.idle-timeout = 300ms", APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("sleeper");
      call(stub, "/increment");
      call(stub, "/increment");
      int constructed = TestObjects.constructed(stub.id().toString());
      node.awaitPassivated(PROBE, stub);
      assertEquals("{\"value\":2}", call(stub, "/").text());
      assertEquals(constructed + 1, TestObjects.constructed(stub.id().toString()));
    }
  }

  @Test
  void smallObjectWakesFromItsNewestRowAndLargerOneFromItsNewestImage() throws Exception {
    try (RuntimeFixture node =
        RuntimeFixture.start(dataDir, "duro.runtime.idle-timeout = 300ms", APP)) {
      Stub small = node.runtime.namespace("probe").getByName("small");
      Stub large = node.runtime.namespace("probe").getByName("large");
      call(large, "/fill?n=20"); // 20 keys of 200 bytes: an increment is far smaller
      for (int i = 0; i < 40; i++) {
        call(small, "/increment");
        call(large, "/increment");
      }
      Object largeKeys = call(large, "/keys").json(Map.class);
      String smallRows = rowsOf(small);
      String largeRows = rowsOf(large);
      assertEquals(40, queryLong("SELECT COUNT(*)" + smallRows));
      assertEquals(41, queryLong("SELECT COUNT(*)" + largeRows));
      int smallBuilt = TestObjects.constructed(small.id().toString());
      int largeBuilt = TestObjects.constructed(large.id().toString());
      node.awaitPassivated(PROBE, small);
      node.awaitPassivated(PROBE, large);

      long before = DuroJdbcJournal.rowsRead();
      assertEquals("{\"value\":40}", call(small, "/").text());
      assertEquals(smallBuilt + 1, TestObjects.constructed(small.id().toString()));
      // The counter's storage is never larger than a change to it: every event is an image.
      assertEquals(1, DuroJdbcJournal.rowsRead() - before, "rows read to wake the counter");

      before = DuroJdbcJournal.rowsRead();
      assertEquals(largeKeys, call(large, "/keys").json(Map.class));
      assertEquals(largeBuilt + 1, TestObjects.constructed(large.id().toString()));
      long read = DuroJdbcJournal.rowsRead() - before;
      // An image once the increments since the last one cost more to read than the storage:
      // the newest row, then the newest 16, which hold one (no replay of all 41 events).
      assertEquals(17, read, "rows read to wake the larger object");
      assertEquals("{\"value\":41}", call(large, "/increment").text());
    }
  }

  private static String rowsOf(Stub stub) {
    return " FROM \"event_journal\" WHERE \"persistence_id\" LIKE '%" + stub.id() + "'";
  }

  @Test
  void embeddedJournalNumbersRowsFromALargeIdentityCacheAndNeverReusesANumberAfterARestart()
      throws Exception {
    String objectId;
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, "", APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("numbered");
      objectId = stub.id().toString();
      call(stub, "/increment");
      call(stub, "/increment");
    }
    assertEquals(
        EmbeddedJournal.ORDERING_CACHE,
        queryLong(
            "SELECT IDENTITY_CACHE FROM INFORMATION_SCHEMA.COLUMNS"
                + " WHERE TABLE_NAME = 'event_journal' AND COLUMN_NAME = 'ordering'"));
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, "", APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("numbered");
      assertEquals("{\"value\":3}", call(stub, "/increment").text());
    }
    // The row written after the restart got a number above every row written before it.
    String rows = "FROM \"event_journal\" WHERE \"persistence_id\" LIKE '%" + objectId + "'";
    long events = queryLong("SELECT COUNT(*) " + rows);
    assertTrue(events >= 2, "events of the object: " + events);
    assertEquals(
        queryLong("SELECT MAX(\"ordering\") " + rows),
        queryLong(
            "SELECT \"ordering\" "
                + rows
                + " AND \"sequence_number\" = (SELECT MAX(\"sequence_number\") "
                + rows
                + ")"));
    assertEquals(events, queryLong("SELECT COUNT(DISTINCT \"ordering\") " + rows));
  }

  /** How journals written before JournalSerializer existed stored events and snapshots. */
  static final String JACKSON_EVENTS =
      """
      pekko.actor.serialization-bindings {
        "io.duro.runtime.internal.Events$TurnsCommitted" = jackson-cbor
        "io.duro.runtime.internal.Events$StorageSnapshot" = jackson-cbor
      }
      duro.runtime.snapshot-every = 5
      """;

  @Test
  void eventsAndSnapshotsWrittenWithJacksonAreRecoveredAfterTheUpgradeToBinaryImages()
      throws Exception {
    String objectId;
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, JACKSON_EVENTS, APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("upgraded");
      objectId = stub.id().toString();
      for (int i = 0; i < 7; i++) {
        call(stub, "/increment"); // a snapshot after the fifth event
      }
      call(stub, "/sync");
    }
    String rows = " FROM \"event_journal\" WHERE \"persistence_id\" LIKE '%" + objectId + "'";
    String snapshots = " FROM \"snapshot\" WHERE \"persistence_id\" LIKE '%" + objectId + "'";
    String binary = " AND \"event_ser_id\" = " + JournalSerializer.IDENTIFIER;
    String binarySnapshot = " AND \"snapshot_ser_id\" = " + JournalSerializer.IDENTIFIER;
    long jacksonEvents = queryLong("SELECT COUNT(*)" + rows);
    assertTrue(jacksonEvents >= 7, "events: " + jacksonEvents);
    assertEquals(0, queryLong("SELECT COUNT(*)" + rows + binary));
    assertEquals(1, queryLong("SELECT COUNT(*)" + snapshots));
    assertEquals(0, queryLong("SELECT COUNT(*)" + snapshots + binarySnapshot));

    try (RuntimeFixture node =
        RuntimeFixture.start(dataDir, "duro.runtime.snapshot-every = 5", APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("upgraded");
      // seven increments and the sync's write, from a Jackson snapshot and events
      assertEquals("{\"value\":8}", call(stub, "/").text());
      for (int i = 0; i < 6; i++) {
        call(stub, "/increment"); // binary events, and a binary snapshot
      }
      call(stub, "/sync");
    }
    long events = queryLong("SELECT COUNT(*)" + rows);
    assertTrue(events >= jacksonEvents + 6, "events: " + events);
    assertEquals(
        events - jacksonEvents,
        queryLong("SELECT COUNT(*)" + rows + binary + " AND \"event_ser_manifest\" = 'T1'"));
    assertTrue(
        queryLong(
                "SELECT COUNT(*)" + snapshots + binarySnapshot
                    + " AND \"snapshot_ser_manifest\" = 'S1'")
            >= 1,
        "a snapshot written as a binary image");

    try (RuntimeFixture node =
        RuntimeFixture.start(dataDir, "duro.runtime.snapshot-every = 50", APP)) {
      // snapshots every 50: the newest snapshot (binary) and the events after it (binary)
      Stub stub = node.runtime.namespace("probe").getByName("upgraded");
      assertEquals("{\"value\":15}", call(stub, "/").text());
    }
    // Without snapshots, a replay from the start mixes both kinds of events.
    assertTrue(update("DELETE" + snapshots) >= 2);
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, JACKSON_EVENTS, APP)) {
      Stub stub = node.runtime.namespace("probe").getByName("upgraded");
      assertEquals("{\"value\":15}", call(stub, "/").text());
    }
  }

  private long snapshotRows() throws Exception {
    return queryLong("SELECT COUNT(*) FROM \"snapshot\"");
  }

  private long queryLong(String sql) throws Exception {
    try (Connection c = connect();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private int update(String sql) throws Exception {
    try (Connection c = connect()) {
      return c.createStatement().executeUpdate(sql);
    }
  }

  private Connection connect() throws Exception {
    String url = "jdbc:h2:file:" + dataDir.resolve("duro") + ";DB_CLOSE_ON_EXIT=FALSE";
    return DriverManager.getConnection(url, "duro", "");
  }
}

package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import io.duro.runtime.jdbc.DuroJdbcJournal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The journal and snapshots on the real local PostgreSQL server, configured by the documented
 * overlay {@code deploy/postgres.conf}: schema created at start, increments, snapshots, restart
 * and recovery. Each test gets a fresh database, dropped afterwards.
 */
class PostgresJournalTest {

  static final Path OVERLAY = Path.of("../../deploy/postgres.conf");
  static final Application APP = Application.of(ObjectBinding.of("probe", TestObjects.Probe.class));

  @TempDir Path dataDir;
  PostgresDatabase db;

  @BeforeEach
  void createDatabase() throws Exception {
    db = PostgresDatabase.create();
  }

  @AfterEach
  void dropDatabase() throws Exception {
    db.close();
  }

  private RuntimeFixture start(String extra) throws Exception {
    String overlay = Files.readString(OVERLAY);
    // Later definitions win: the test's database and settings over the documented overlay.
    return RuntimeFixture.start(dataDir, overlay + "\n" + db.overrides() + "\n" + extra, APP);
  }

  static Response call(Stub stub, String path) throws Exception {
    return stub.fetch(Request.post(path, "")).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void schemaIsCreatedAtStartAndIncrementsSurviveARestart(boolean journalRecovery)
      throws Exception {
    String journal = "duro.runtime.forks.journal-recovery = " + journalRecovery;
    try (RuntimeFixture node = start(journal)) {
      Stub stub = node.runtime.namespace("probe").getByName("pg-restart");
      for (int i = 1; i <= 10; i++) {
        assertEquals("{\"value\":" + i + "}", call(stub, "/increment").text());
      }
    }
    assertEquals(10, db.count("SELECT COUNT(*) FROM event_journal"), "one event per increment");
    try (RuntimeFixture node = start(journal)) {
      Stub stub = node.runtime.namespace("probe").getByName("pg-restart");
      long rows = DuroJdbcJournal.rowsRead();
      assertEquals("{\"value\":10}", call(stub, "/").text(), "state recovered from PostgreSQL");
      assertEquals(
          journalRecovery, DuroJdbcJournal.rowsRead() > rows, "recovered by Duro's queries");
      assertEquals("{\"value\":11}", call(stub, "/increment").text());
    }
  }

  @Test
  void concurrentIncrementsOfManyObjectsAreAllRecoveredFromSnapshotsAndEvents() throws Exception {
    int objects = 20;
    int perObject = 12;
    try (RuntimeFixture node = start("duro.runtime.snapshot-every = 5")) {
      // Rounds one after the other (one event per object per round, so snapshots are taken);
      // the objects of a round concurrently.
      for (int round = 0; round < perObject; round++) {
        List<CompletableFuture<Response>> calls = new ArrayList<>();
        for (int o = 0; o < objects; o++) {
          Stub stub = node.runtime.namespace("probe").getByName("pg-many-" + o);
          calls.add(stub.fetch(Request.post("/increment", "")).toCompletableFuture());
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      }
    }
    assertTrue(db.count("SELECT COUNT(*) FROM snapshot") > 0, "snapshots were written");
    try (RuntimeFixture node = start("duro.runtime.snapshot-every = 5")) {
      for (int o = 0; o < objects; o++) {
        Stub stub = node.runtime.namespace("probe").getByName("pg-many-" + o);
        Map<?, ?> state = call(stub, "/").json(Map.class);
        assertEquals(perObject, ((Number) state.get("value")).intValue(), "object " + o);
      }
    }
  }
}

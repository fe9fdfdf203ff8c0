package io.duro.runtime;

import static io.duro.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.runtime.migrations.Manifest.Migration;
import io.duro.runtime.migrations.Manifest.RenamedClass;
import io.duro.runtime.migrations.Manifest.TransferredClass;
import io.duro.runtime.migrations.MigrationException;
import io.duro.runtime.migrations.MigrationPlan;
import io.duro.runtime.migrations.MigrationStatus;
import io.duro.runtime.migrations.MigrationStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrations end to end on the real H2 file journal: data written under one manifest, the runtime
 * restarted with the next manifest, the data read (or found removed) afterwards; manifests that
 * skip, reorder or rewrite applied migrations refused with the database unchanged.
 * {@link PostgresMigrationsTest} runs the same tests on PostgreSQL.
 */
class MigrationsTest {

  /** A counter with an alarm, first version of the class. */
  public static final class TallyA implements DurableObject {
    private final DurableObjectState state;

    public TallyA(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return tally(state, request);
    }
  }

  /** The same counter under another class name (a rename or transfer target). */
  public static final class TallyB implements DurableObject {
    private final DurableObjectState state;

    public TallyB(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return tally(state, request);
    }
  }

  static CompletionStage<Response> tally(DurableObjectState state, Request request) {
    long value = state.storage().get("value", Long.class).orElse(0L);
    switch (request.path()) {
      case "/increment" -> state.storage().put("value", ++value);
      case "/alarm" -> state.storage().setAlarm(Instant.now().plus(Duration.ofHours(1)));
      default -> { }
    }
    return Response.json(Map.of("value", value)).completed();
  }

  static final String A = TallyA.class.getName();
  static final String B = TallyB.class.getName();

  @TempDir Path dataDir;

  /** Settings over the defaults: the journal (H2 here) and small snapshots and batches. */
  String overrides() {
    return "duro.runtime.snapshot-every = 2\nduro.migrations.delete-batch-size = 2\n";
  }

  RuntimeFixture start(Application app) throws Exception {
    return RuntimeFixture.start(dataDir, overrides(), app);
  }

  static Application app(String name, Map<String, Class<? extends DurableObject>> bindings,
      Migration... migrations) {
    List<ObjectBinding> list = new ArrayList<>();
    bindings.forEach((binding, type) -> list.add(ObjectBinding.of(binding, type)));
    return new Application(name, list, Map.of(), Optional.empty(), List.of(migrations));
  }

  static final Migration V1 = new Migration("v1", List.of(A));
  static final Migration V2_RENAME =
      new Migration("v2", List.of(), List.of(new RenamedClass(A, B)), List.of(), List.of());

  static long call(RuntimeFixture node, String binding, String name, String path)
      throws Exception {
    Response r = node.runtime.namespace(binding).getByName(name)
        .fetch(Request.post(path, "")).toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(200, r.status(), r.text());
    return Long.parseLong(r.text().replaceAll("[^0-9]", ""));
  }

  MigrationStore store(RuntimeFixture node) {
    return MigrationStore.of(node.system.settings().config());
  }

  /** Every row of the migration tables, to show that a refused manifest changed nothing. */
  static List<String> rows(MigrationStore store) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = store.connect(); Statement s = c.createStatement()) {
      for (String table : List.of("duro_migration", "duro_namespace")) {
        try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
          while (rs.next()) {
            StringBuilder row = new StringBuilder(table);
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
              row.append('|').append(rs.getString(i));
            }
            rows.add(row.toString());
          }
        }
      }
    }
    rows.sort(null);
    return rows;
  }

  static long count(MigrationStore store, String sql) throws SQLException {
    try (Connection c = store.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static MigrationException refusedAtStart(RuntimeFixtureStarter starter) {
    ExecutionException e = assertThrows(ExecutionException.class, starter::start);
    Throwable cause = e.getCause();
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertTrue(cause instanceof MigrationException, "expected a MigrationException: " + cause);
    return (MigrationException) cause;
  }

  /** Starts a runtime that is expected to fail. */
  interface RuntimeFixtureStarter {
    void start() throws Exception;
  }

  @Test
  void renamedClassKeepsStorageAlarmsAndIdsUnderTheNewName() throws Exception {
    String idBefore;
    try (RuntimeFixture node = start(app("shop", Map.of("tally", TallyA.class), V1))) {
      call(node, "tally", "x", "/increment");
      call(node, "tally", "x", "/increment");
      assertEquals(3, call(node, "tally", "x", "/increment"));
      call(node, "tally", "x", "/alarm");
      idBefore = node.runtime.namespace("tally").idFromName("x").toString();
    }
    try (RuntimeFixture node =
        start(app("shop", Map.of("counter", TallyB.class), V1, V2_RENAME))) {
      assertEquals(3, call(node, "counter", "x", "/"), "storage kept under the new class");
      assertEquals(idBefore, node.runtime.namespace("counter").idFromName("x").toString(),
          "idFromName of the new class gives the same ID");
      assertEquals(4, call(node, "counter", "x", "/increment"));
      List<DuroRuntime.PendingAlarm> alarms = node.runtime
          .pendingAlarms(Instant.now().plus(Duration.ofDays(1)), 10)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(1, alarms.size(), alarms.toString());
      assertEquals(B, alarms.get(0).className(), "the alarm belongs to the new class");
      assertEquals(idBefore, alarms.get(0).objectId());
      MigrationStatus status = node.runtime.migrationStatus().toCompletableFuture().get();
      assertEquals(List.of("v1", "v2"), status.applied().stream().map(a -> a.tag()).toList());
      assertEquals(1, status.namespaces().size());
      assertEquals(B, status.namespaces().get(0).className());
      assertEquals(A, status.namespaces().get(0).key(), "the key fixed when v1 introduced it");
    }
  }

  @Test
  void firstMigrationAdoptsTheDataOfAnApplicationThatRanWithoutMigrations() throws Exception {
    try (RuntimeFixture node = start(app("shop", Map.of("tally", TallyA.class)))) {
      call(node, "tally", "old", "/increment");
      assertEquals(List.of(), node.runtime.migrationStatus().toCompletableFuture().get().applied(),
          "an application without migrations records nothing");
    }
    try (RuntimeFixture node = start(app("shop", Map.of("tally", TallyA.class), V1))) {
      assertEquals(1, call(node, "tally", "old", "/"), "v1 keeps the class name as its key");
    }
  }

  @Test
  void deletedClassLosesItsObjectsJournalSnapshotsAndAlarmsAndOtherClassesKeepTheirs()
      throws Exception {
    Migration v1 = new Migration("v1", List.of(A, B));
    try (RuntimeFixture node =
        start(app("shop", Map.of("a", TallyA.class, "b", TallyB.class), v1))) {
      for (int i = 0; i < 5; i++) {
        for (int n = 0; n < 3; n++) {
          call(node, "a", "obj-" + i, "/increment");
        }
      }
      call(node, "a", "obj-0", "/alarm");
      call(node, "b", "kept", "/increment");
      call(node, "b", "kept", "/alarm");
      assertEquals(5, count(store(node), "SELECT COUNT(*) FROM duro_placement WHERE namespace = '"
          + A + "'"), "each object's placement is recorded");
    }
    Migration v2 = new Migration("v2", List.of(), List.of(), List.of(A), List.of());
    try (RuntimeFixture node = start(app("shop", Map.of("b", TallyB.class), v1, v2))) {
      MigrationStore store = store(node);
      MigrationPlan.Namespace deleted = awaitDeleted(node, A);
      assertEquals(5, deleted.deletedObjects());
      assertEquals(16, deleted.deletedEvents(), "3 increments of 5 objects and 1 alarm set");
      assertTrue(deleted.deletedSnapshots() >= 5, deleted.toString());
      assertEquals(1, deleted.deletedAlarms());
      String prefix = A + "|";
      assertEquals(0, count(store, "SELECT COUNT(*) FROM \"event_journal\" WHERE"
          + " LEFT(\"persistence_id\", " + prefix.length() + ") = '" + prefix + "'"));
      assertEquals(0, count(store, "SELECT COUNT(*) FROM \"snapshot\" WHERE"
          + " LEFT(\"persistence_id\", " + prefix.length() + ") = '" + prefix + "'"));
      assertEquals(0, count(store, "SELECT COUNT(*) FROM duro_alarm WHERE namespace = '" + A
          + "'"));
      assertEquals(1, count(store, "SELECT COUNT(*) FROM duro_alarm WHERE namespace = '" + B
          + "'"));
      assertEquals(0, count(store, "SELECT COUNT(*) FROM duro_placement WHERE namespace = '" + A
          + "'"), "the deleted class's placements are removed");
      assertEquals(1, count(store, "SELECT COUNT(*) FROM duro_placement WHERE namespace = '" + B
          + "'"));
      assertEquals(1, call(node, "b", "kept", "/"), "the other class keeps its objects");
    }
    // Introduced again later, the class starts with an empty namespace of its own.
    Migration v3 = new Migration("v3", List.of(A));
    try (RuntimeFixture node =
        start(app("shop", Map.of("a", TallyA.class, "b", TallyB.class), v1, v2, v3))) {
      assertEquals(0, call(node, "a", "obj-1", "/"));
      MigrationStatus status = node.runtime.migrationStatus().toCompletableFuture().get();
      assertTrue(status.namespaces().stream().anyMatch(
          n -> n.key().equals(A + "@shop:v3") && n.status().equals("active")), status.toString());
    }
  }

  MigrationPlan.Namespace awaitDeleted(RuntimeFixture node, String className) throws Exception {
    AtomicReference<MigrationPlan.Namespace> deleted = new AtomicReference<>();
    await(
        className + " to be deleted",
        () -> {
          MigrationStatus status = node.runtime.migrationStatus().toCompletableFuture().join();
          status.namespaces().stream()
              .filter(n -> n.className().equals(className) && n.status().equals("deleted"))
              .findFirst()
              .ifPresent(deleted::set);
          return deleted.get() != null;
        },
        30_000);
    return deleted.get();
  }

  @Test
  void transferredClassMovesItsObjectsToAnotherApplication() throws Exception {
    String idBefore;
    try (RuntimeFixture node = start(app("billing", Map.of("tally", TallyA.class), V1))) {
      call(node, "tally", "acme", "/increment");
      assertEquals(2, call(node, "tally", "acme", "/increment"));
      idBefore = node.runtime.namespace("tally").idFromName("acme").toString();
    }
    Migration transfer = new Migration("t1", List.of(), List.of(), List.of(),
        List.of(new TransferredClass(A, "billing", B)));
    try (RuntimeFixture node = start(app("invoices", Map.of("accounts", TallyB.class), transfer))) {
      assertEquals(2, call(node, "accounts", "acme", "/"), "objects moved with their storage");
      assertEquals(idBefore, node.runtime.namespace("accounts").idFromName("acme").toString());
      assertEquals(3, call(node, "accounts", "acme", "/increment"));
    }
    // The source application no longer owns the class: still binding it is refused.
    MigrationException e =
        refusedAtStart(() -> start(app("billing", Map.of("tally", TallyA.class), V1)).close());
    assertTrue(e.getMessage().contains("durable_objects.bindings[0].class_name"), e.getMessage());
    assertTrue(e.getMessage().contains("transferred to another application"), e.getMessage());
  }

  @Test
  void transferFromAnApplicationWithoutThatClassIsRefusedNamingIt() throws Exception {
    Migration transfer = new Migration("t1", List.of(), List.of(), List.of(),
        List.of(new TransferredClass(A, "nobody", B)));
    MigrationException e = refusedAtStart(
        () -> start(app("invoices", Map.of("accounts", TallyB.class), transfer)).close());
    assertTrue(e.getMessage().contains("migrations[0].transferred_classes[0]"), e.getMessage());
    assertTrue(e.getMessage().contains("application 'nobody' has no class " + A), e.getMessage());
  }

  @Test
  void skippedTagIsRefusedNamingItAndTheDatabaseIsUnchanged() throws Exception {
    List<String> before;
    try (RuntimeFixture node =
        start(app("shop", Map.of("counter", TallyB.class), V1, V2_RENAME))) {
      call(node, "counter", "x", "/increment");
      before = rows(store(node));
    }
    Migration v3Rename = new Migration("v3", List.of(), List.of(new RenamedClass(A, B)),
        List.of(), List.of());
    MigrationException e = refusedAtStart(
        () -> start(app("shop", Map.of("counter", TallyB.class), V1, v3Rename)).close());
    assertTrue(e.getMessage().contains("applied migration 'v2'"), e.getMessage());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
    try (RuntimeFixture node =
        start(app("shop", Map.of("counter", TallyB.class), V1, V2_RENAME))) {
      assertEquals(before, rows(store(node)), "nothing written by the refused start");
      assertEquals(1, call(node, "counter", "x", "/"));
    }
  }

  @Test
  void reorderedTagsAreRefusedNamingTheTag() throws Exception {
    Migration v2 = new Migration("v2", List.of(B));
    try (RuntimeFixture node =
        start(app("shop", Map.of("a", TallyA.class, "b", TallyB.class), V1, v2))) {
      call(node, "a", "x", "/increment");
    }
    MigrationException e = refusedAtStart(() -> start(
        app("shop", Map.of("a", TallyA.class, "b", TallyB.class), v2, V1)).close());
    assertTrue(e.getMessage().contains("migrations[1].tag: migration 'v1' was applied as number 1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("cannot be reordered"), e.getMessage());
  }

  @Test
  void rewrittenAppliedMigrationIsRefusedShowingBothVersions() throws Exception {
    try (RuntimeFixture node = start(app("shop", Map.of("a", TallyA.class), V1))) {
      call(node, "a", "x", "/increment");
    }
    Migration rewritten = new Migration("v1", List.of(A, B));
    MigrationException e = refusedAtStart(() -> start(
        app("shop", Map.of("a", TallyA.class, "b", TallyB.class), rewritten)).close());
    assertTrue(e.getMessage().contains("migrations[0]: migration 'v1' was applied as"),
        e.getMessage());
    assertTrue(e.getMessage().contains("cannot be rewritten"), e.getMessage());
    assertTrue(e.getMessage().contains(B), e.getMessage());
  }

  @Test
  void concurrentStartsApplyANewTagExactlyOnce() throws Exception {
    try (RuntimeFixture node = start(app("shop", Map.of("a", TallyA.class), V1))) {
      MigrationStore store = store(node);
      Application next = app("shop", Map.of("b", TallyB.class), V1, V2_RENAME);
      List<java.util.concurrent.CompletableFuture<MigrationPlan>> plans = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String who = "node-" + i;
        plans.add(java.util.concurrent.CompletableFuture.supplyAsync(
            () -> store.apply(next, who, Duration.ofSeconds(30)),
            task -> new Thread(task).start()));
      }
      int applied = 0;
      for (var plan : plans) {
        MigrationPlan p = plan.get(60, TimeUnit.SECONDS);
        assertEquals(Map.of(B, A), p.keysByClass(), "every starter sees the same outcome");
        applied += p.steps().isEmpty() ? 0 : 1;
      }
      assertEquals(1, applied, "exactly one starter applied v2");
      assertEquals(1, count(store, "SELECT COUNT(*) FROM duro_migration WHERE tag = 'v2'"));
    }
  }
}

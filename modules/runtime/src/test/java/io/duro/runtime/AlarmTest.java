package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DuroException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Durable alarms (DESIGN §5) on a real one-node runtime with an H2 file journal. */
class AlarmTest {

  @TempDir static Path dataDir;
  static RuntimeFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture =
        RuntimeFixture.start(
            dataDir,
            """
            duro.runtime.idle-timeout = 400ms
            duro.runtime.alarms.first-retry-delay = 300ms
            duro.runtime.alarms.max-retries = 3
            duro.runtime.alarms.poll-interval = 200ms
            duro.runtime.alarms.lookahead = 300ms
            """,
            Application.of(ObjectBinding.of("alarmed", TestObjects.Alarmed.class)));
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  static Stub object(String name) {
    return fixture.runtime.namespace("alarmed").getByName(name);
  }

  static String call(Stub stub, String path) throws Exception {
    Response r =
        stub.fetch(Request.post(path, "")).toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(200, r.status(), r.text());
    return r.text();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> fired(Stub stub) throws Exception {
    return stub.fetch(Request.get("/fired"))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS)
        .json(List.class);
  }

  static void await(String what, BooleanSupplier condition, long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  static int firedCount(Stub stub) {
    try {
      return fired(stub).size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long number(Object o) {
    return ((Number) o).longValue();
  }

  @Test
  void alarmFiresAtNotBeforeItsTimeAndIsClearedAfterASuccessfulRun() throws Exception {
    Stub stub = object("once");
    long at = Long.parseLong(call(stub, "/set?in=700"));
    assertEquals(Long.toString(at), call(stub, "/alarm"));
    await("the alarm", () -> firedCount(stub) == 1, 10_000);
    Map<String, Object> run = fired(stub).get(0);
    assertEquals(at, number(run.get("scheduled")));
    assertTrue(number(run.get("firedAt")) >= at, "not before its time: " + run);
    assertEquals(0L, number(run.get("retryCount")));
    assertEquals(false, run.get("isRetry"));
    await("the alarm to be cleared", () -> alarmOf(stub).equals("none"), 5_000);
    Thread.sleep(800);
    assertEquals(1, firedCount(stub), "fired once");
  }

  static String alarmOf(Stub stub) {
    try {
      return call(stub, "/alarm");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void secondSetAlarmReplacesTheFirst() throws Exception {
    Stub stub = object("replaced");
    call(stub, "/set?in=60000");
    long second = Long.parseLong(call(stub, "/set?in=500"));
    await("the alarm", () -> firedCount(stub) == 1, 10_000);
    assertEquals(second, number(fired(stub).get(0).get("scheduled")));
    await("the alarm to be cleared", () -> alarmOf(stub).equals("none"), 5_000);
    Thread.sleep(500);
    assertEquals(1, firedCount(stub));
  }

  @Test
  void deletedAlarmDoesNotFire() throws Exception {
    Stub stub = object("deleted");
    call(stub, "/set?in=400");
    call(stub, "/delete");
    assertEquals("none", call(stub, "/alarm"));
    Thread.sleep(1500);
    assertEquals(0, firedCount(stub));
  }

  @Test
  void alarmSetInARolledBackTransactionLeavesTheAlarmUnchanged() throws Exception {
    Stub stub = object("rolled-back");
    long at = Long.parseLong(call(stub, "/set?in=60000"));
    call(stub, "/set-in-rolled-back-transaction?in=100");
    assertEquals(Long.toString(at), call(stub, "/alarm"));
    Thread.sleep(800);
    assertEquals(0, firedCount(stub));
  }

  @Test
  void alarmInThePastFiresAsSoonAsPossible() throws Exception {
    Stub stub = object("past");
    call(stub, "/set-at?epoch=1000");
    await("the alarm", () -> firedCount(stub) == 1, 5_000);
  }

  @Test
  void alarmWakesAPassivatedObject() throws Exception {
    Stub stub = object("sleeper");
    call(stub, "/set?in=2500");
    int constructed = TestObjects.constructed(stub.id().toString());
    // idle timeout 400 ms: the object is dropped from memory long before its alarm
    Thread.sleep(3500);
    assertTrue(
        TestObjects.constructed(stub.id().toString()) > constructed,
        "the object was passivated and recreated for its alarm");
    int afterWake = TestObjects.constructed(stub.id().toString());
    assertEquals(1, firedCount(stub));
    assertTrue(TestObjects.constructed(stub.id().toString()) >= afterWake);
  }

  @Test
  void failingAlarmIsRetriedWithGrowingDelaysAndRetryCounts() throws Exception {
    Stub stub = object("flaky");
    call(stub, "/fail?times=2");
    call(stub, "/set?in=100");
    await("three runs", () -> firedCount(stub) == 3, 15_000);
    List<Map<String, Object>> runs = fired(stub);
    assertEquals(0L, number(runs.get(0).get("retryCount")));
    assertEquals(1L, number(runs.get(1).get("retryCount")));
    assertEquals(2L, number(runs.get(2).get("retryCount")));
    assertEquals(true, runs.get(2).get("isRetry"));
    long gap1 = number(runs.get(1).get("firedAt")) - number(runs.get(0).get("firedAt"));
    long gap2 = number(runs.get(2).get("firedAt")) - number(runs.get(1).get("firedAt"));
    assertTrue(gap1 >= 300, "first retry after 300 ms: " + gap1);
    assertTrue(gap2 >= 600, "second retry after 600 ms: " + gap2);
    await("the alarm to be cleared", () -> alarmOf(stub).equals("none"), 5_000);
    Thread.sleep(500);
    assertEquals(3, firedCount(stub));
  }

  @Test
  void alarmThatAlwaysFailsIsDroppedAfterTheLastRetry() throws Exception {
    Stub stub = object("hopeless");
    call(stub, "/fail?times=1000");
    call(stub, "/set?in=50");
    // 1 run + 3 retries after 300, 600, 1200 ms
    await("four runs", () -> firedCount(stub) == 4, 15_000);
    await("the alarm to be dropped", () -> alarmOf(stub).equals("none"), 5_000);
    Thread.sleep(3000);
    assertEquals(4, firedCount(stub));
  }

  @Test
  void pendingAlarmIsInTheIndexUntilItFires() throws Exception {
    Stub stub = object("indexed");
    long at = Long.parseLong(call(stub, "/set?in=60000"));
    var pending =
        fixture
            .runtime
            .pendingAlarms(Instant.now().plusSeconds(120), 1000)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    var mine =
        pending.stream().filter(p -> p.objectId().equals(stub.id().toString())).toList();
    assertEquals(1, mine.size(), pending.toString());
    assertEquals(at, mine.get(0).dueAt().toEpochMilli());
    assertEquals("alarmed", mine.get(0).binding());
    assertEquals(TestObjects.Alarmed.class.getName(), mine.get(0).className());
    call(stub, "/delete");
    await(
        "the index row to go",
        () ->
            fixture
                .runtime
                .pendingAlarms(Instant.now().plusSeconds(120), 1000)
                .toCompletableFuture()
                .join()
                .stream()
                .noneMatch(p -> p.objectId().equals(stub.id().toString())),
        5_000);
  }

  @Test
  void badAlarmTimesAreRejectedAndChangeNothing() throws Exception {
    Stub stub = object("bad-times");
    long at = Long.parseLong(call(stub, "/set?in=60000"));
    for (String path :
        List.of(
            "/set-at?epoch=-1000",
            "/set-at?epoch=" + (System.currentTimeMillis() + 3651L * 86_400_000L),
            "/set-null")) {
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> stub.fetch(Request.post(path, "")).toCompletableFuture().get(10, TimeUnit.SECONDS));
      DuroException d = assertInstanceOf(DuroException.class, e.getCause());
      assertEquals("invalid_argument", d.code(), d.getMessage());
    }
    assertEquals(Long.toString(at), call(stub, "/alarm"));
  }
}

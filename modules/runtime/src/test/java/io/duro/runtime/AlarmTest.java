package io.duro.runtime;

import static io.duro.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DuroException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable alarms (DESIGN §5) on a real one-node runtime with an H2 file journal, on the test clock:
 * a test moves time past the moment an alarm is due, and an alarm that must not run is shown not
 * to have run after a round trip to its object (which the object answers after the timers that
 * the move fired) or after a control alarm due at the same time ran.
 */
class AlarmTest {

  @TempDir static Path dataDir;
  static RuntimeFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture =
        RuntimeFixture.startOnTestClock(
            dataDir,
            """
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

  static void advance(long millis) {
    fixture.advance(Duration.ofMillis(millis));
  }

  static Instant now() {
    return fixture.runtime.clock().instant();
  }

  /**
   * Waits for the alarm's runs one by one: after each failed run, for its retry to be in the
   * index, then moves the clock to the retry's time.
   */
  static void awaitRuns(Stub stub, int runs) throws Exception {
    for (int n = 1; ; n++) {
      int run = n;
      await("run " + run, () -> firedCount(stub) == run, 10_000);
      if (run == runs) {
        return;
      }
      AtomicReference<Instant> due = new AtomicReference<>();
      await(
          "retry " + run + " in the index",
          () -> {
            due.set(pendingRetry(stub, run));
            return due.get() != null;
          },
          10_000);
      fixture.advance(Duration.between(now(), due.get()));
    }
  }

  /** When the index has the object's alarm due for this retry, or null. */
  static Instant pendingRetry(Stub stub, int retry) {
    return fixture.runtime.pendingAlarms(now().plusSeconds(3600), 1000).toCompletableFuture()
        .join().stream()
        .filter(p -> p.objectId().equals(stub.id().toString()) && p.retries() == retry)
        .map(DuroRuntime.PendingAlarm::dueAt)
        .findFirst()
        .orElse(null);
  }

  @Test
  void alarmFiresAtNotBeforeItsTimeAndIsClearedAfterASuccessfulRun() throws Exception {
    Stub stub = object("once");
    long at = Long.parseLong(call(stub, "/set?in=700"));
    assertEquals(Long.toString(at), call(stub, "/alarm"));
    advance(699);
    assertEquals(0, firedCount(stub), "not before its time");
    advance(1);
    await("the alarm", () -> firedCount(stub) == 1, 10_000);
    Map<String, Object> run = fired(stub).get(0);
    assertEquals(at, number(run.get("scheduled")));
    assertTrue(number(run.get("firedAt")) >= at, "not before its time: " + run);
    assertEquals(0L, number(run.get("retryCount")));
    assertEquals(false, run.get("isRetry"));
    await("the alarm to be cleared", () -> alarmOf(stub).equals("none"), 5_000);
    advance(800);
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
    advance(500);
    await("the alarm", () -> firedCount(stub) == 1, 10_000);
    assertEquals(second, number(fired(stub).get(0).get("scheduled")));
    await("the alarm to be cleared", () -> alarmOf(stub).equals("none"), 5_000);
    advance(60_000); // past the first alarm's time
    assertEquals(1, firedCount(stub));
  }

  @Test
  void deletedAlarmDoesNotFire() throws Exception {
    Stub stub = object("deleted");
    Stub control = object("deleted-control");
    long at = Long.parseLong(call(stub, "/set?in=400"));
    call(control, "/set-at?epoch=" + at);
    call(stub, "/delete");
    assertEquals("none", call(stub, "/alarm"));
    advance(1500);
    await("the control alarm, due at the same time", () -> firedCount(control) == 1, 10_000);
    assertEquals(0, firedCount(stub));
  }

  @Test
  void alarmSetInARolledBackTransactionLeavesTheAlarmUnchanged() throws Exception {
    Stub stub = object("rolled-back");
    long at = Long.parseLong(call(stub, "/set?in=60000"));
    call(stub, "/set-in-rolled-back-transaction?in=100");
    assertEquals(Long.toString(at), call(stub, "/alarm"));
    advance(800); // past the rolled-back alarm's time, before the kept one's
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
    // dropped from memory long before its alarm, as after an idle timeout
    fixture.runtime.passivate("alarmed", stub.id().toString()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    advance(2500);
    await(
        "the object to be recreated for its alarm",
        () -> TestObjects.constructed(stub.id().toString()) > constructed,
        10_000);
    int afterWake = TestObjects.constructed(stub.id().toString());
    await("the alarm", () -> firedCount(stub) == 1, 10_000);
    assertTrue(TestObjects.constructed(stub.id().toString()) >= afterWake);
  }

  @Test
  void failingAlarmIsRetriedWithGrowingDelaysAndRetryCounts() throws Exception {
    Stub stub = object("flaky");
    call(stub, "/fail?times=2");
    call(stub, "/set?in=100");
    advance(100);
    awaitRuns(stub, 3);
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
    advance(2400); // past the time of a third retry
    assertEquals(3, firedCount(stub));
  }

  @Test
  void alarmThatAlwaysFailsIsDroppedAfterTheLastRetry() throws Exception {
    Stub stub = object("hopeless");
    call(stub, "/fail?times=1000");
    call(stub, "/set?in=50");
    advance(50);
    // 1 run + 3 retries after 300, 600, 1200 ms
    awaitRuns(stub, 4);
    await("the alarm to be dropped", () -> alarmOf(stub).equals("none"), 5_000);
    advance(3000); // past the time of a fourth retry (2400 ms)
    assertEquals(4, firedCount(stub));
  }

  @Test
  void pendingAlarmIsInTheIndexUntilItFires() throws Exception {
    Stub stub = object("indexed");
    long at = Long.parseLong(call(stub, "/set?in=60000"));
    var pending =
        fixture
            .runtime
            .pendingAlarms(now().plusSeconds(120), 1000)
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
                .pendingAlarms(now().plusSeconds(120), 1000)
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
            "/set-at?epoch=" + (now().toEpochMilli() + 3651L * 86_400_000L),
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

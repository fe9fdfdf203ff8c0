package io.duro.runtime;

import static io.duro.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DuroException;
import io.duro.api.ObjectResetException;
import io.duro.api.OverloadedException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The execution semantics of DESIGN §2 on a real one-node runtime with an H2 file journal. */
class ObjectEntityTest {

  static final ObjectBinding BLOCKING = ObjectBinding.of("blocking", TestObjects.Blocking.class);

  @TempDir static Path dataDir;
  static RuntimeFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture =
        RuntimeFixture.start(
            dataDir,
            """
            duro.runtime.request-timeout = 1500ms
            duro.runtime.max-queued-requests = 20
            """,
            Application.of(
                ObjectBinding.of("probe", TestObjects.Probe.class),
                BLOCKING,
                ObjectBinding.of("failing-init", TestObjects.FailingInit.class)));
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  static Stub probe(String name) {
    return fixture.runtime.namespace("probe").getByName(name);
  }

  static Response call(Stub stub, String path) throws Exception {
    return stub.fetch(Request.post(path, "")).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static DuroException failure(Stub stub, String path) throws Exception {
    try {
      Response r = call(stub, path);
      throw new AssertionError("expected a failure, got " + r.status() + " " + r.text());
    } catch (ExecutionException e) {
      return assertInstanceOf(DuroException.class, e.getCause());
    }
  }

  /**
   * Sends {@code n} requests to a {@code blocking} object in this order: its placement is read
   * first, so that each request goes to the object as it is sent.
   */
  static List<CompletableFuture<Response>> sendInOrder(Stub stub, int n) throws Exception {
    fixture
        .runtime
        .placement()
        .region(BLOCKING.namespaceKey(), stub.id().toString(), null)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    List<CompletableFuture<Response>> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add(stub.fetch(Request.post("/", "")).toCompletableFuture());
    }
    return sent;
  }

  /** Waits until the last request sent was refused: the object has seen every one before it. */
  static void awaitRefused(List<CompletableFuture<Response>> sent) throws Exception {
    CompletableFuture<Response> last = sent.get(sent.size() - 1);
    await("the refusal of the last request", last::isCompletedExceptionally, 10_000);
  }

  static long value(Stub stub) throws Exception {
    return ((Number) call(stub, "/").json(Map.class).get("value")).longValue();
  }

  @Test
  void concurrentIncrementsFromManyClientsEndAtExactlyN() throws Exception {
    Stub stub = probe("concurrent");
    int n = 600;
    ExecutorService clients = Executors.newFixedThreadPool(16);
    try {
      List<Future<Response>> responses = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        responses.add(clients.submit(() -> call(stub, "/increment")));
      }
      Set<Long> seen = new HashSet<>();
      for (Future<Response> f : responses) {
        Response r = f.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        seen.add(((Number) r.json(Map.class).get("value")).longValue());
      }
      assertEquals(n, seen.size(), "every increment saw a distinct value");
      assertEquals(n, value(stub));
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void handlerThatThrowsFailsWithObjectErrorResetsTheObjectAndWritesNothing() throws Exception {
    Stub stub = probe("thrower");
    call(stub, "/increment");
    String id = stub.id().toString();
    int before = TestObjects.constructed(id);
    DuroException e = failure(stub, "/throw");
    assertEquals("object_error", e.code());
    assertTrue(e.getMessage().contains("boom"), e.getMessage());
    Map<?, ?> keys = call(stub, "/keys").json(Map.class);
    assertFalse(keys.containsKey("poison"), "the failed turn's write was discarded: " + keys);
    assertEquals(1L, ((Number) keys.get("value")).longValue());
    assertEquals(before + 1, TestObjects.constructed(id), "the instance was recreated");
  }

  @Test
  void stageThatFailsLaterAlsoResetsTheObject() throws Exception {
    Stub stub = probe("late-thrower");
    call(stub, "/increment");
    int before = TestObjects.constructed(stub.id().toString());
    DuroException e = failure(stub, "/throw-later");
    assertEquals("object_error", e.code());
    assertEquals(1, value(stub));
    assertEquals(before + 1, TestObjects.constructed(stub.id().toString()));
  }

  @Test
  void limitErrorEscapingAHandlerIsBadInputRollsBackTheTurnAndKeepsTheInstance()
      throws Exception {
    Stub stub = probe("limit");
    call(stub, "/increment");
    int before = TestObjects.constructed(stub.id().toString());
    DuroException e = failure(stub, "/limit");
    assertEquals("limit_exceeded", e.code());
    assertTrue(e.getMessage().contains("2048"), e.getMessage());
    Map<?, ?> keys = call(stub, "/keys").json(Map.class);
    assertFalse(keys.containsKey("before-limit"), "nothing of the failed turn was written");
    assertEquals(before, TestObjects.constructed(stub.id().toString()), "no reset");
  }

  @Test
  void handlerThatNeverCompletesTimesOutAndTheObjectServesAgain() throws Exception {
    Stub stub = probe("hanger");
    call(stub, "/increment");
    long start = System.nanoTime();
    DuroException e = failure(stub, "/hang");
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals("timeout", e.code());
    assertTrue(tookMs >= 1500, "not before the limit: " + tookMs + " ms");
    assertEquals(2, ((Number) call(stub, "/increment").json(Map.class).get("value")).intValue());
  }

  @Test
  void abortResetsTheObjectAndDiscardsWritesThatWereNotDurable() throws Exception {
    Stub stub = probe("aborter");
    call(stub, "/increment");
    DuroException e = failure(stub, "/abort");
    assertEquals("aborted", e.code());
    Map<?, ?> keys = call(stub, "/keys").json(Map.class);
    assertFalse(keys.containsKey("aborted-write"), keys.toString());
    assertEquals(1L, ((Number) keys.get("value")).longValue());
  }

  @Test
  void storageUsedFromAForeignThreadFailsLoudly() throws Exception {
    Stub stub = probe("foreign");
    String message = call(stub, "/foreign").text();
    assertTrue(message.contains("outside the object's turns"), message);
    assertFalse(call(stub, "/keys").json(Map.class).containsKey("from-thread"));
  }

  @Test
  void syncCompletesOnTheObjectsTurnOnceWritesAreDurable() throws Exception {
    Stub stub = probe("syncer");
    Response r = call(stub, "/sync");
    assertEquals(200, r.status());
    Map<?, ?> keys = call(stub, "/keys").json(Map.class);
    assertEquals(1L, ((Number) keys.get("synced")).longValue());
  }

  @Test
  void stubCallFromAnObjectContinuesOnTheCallersTurn() throws Exception {
    Stub caller = probe("caller");
    Response r = call(caller, "/call?target=callee");
    assertEquals("{\"value\":1}", r.text());
    assertEquals("{\"value\":1}", call(caller, "/keys").json(Map.class).get("called"));
    assertEquals(1, value(probe("callee")));
  }

  @Test
  void blockConcurrencyWhileInTheConstructorHoldsEveryEventUntilItCompletes() throws Exception {
    Stub stub = fixture.runtime.namespace("blocking").getByName("gatekeeper");
    CompletableFuture<Void> gate = new CompletableFuture<>();
    TestObjects.GATES.put(stub.id().toString(), gate);
    // 5 requests, 15 more to fill the queue (bound 20), and one it refuses
    List<CompletableFuture<Response>> sent = sendInOrder(stub, 21);
    List<CompletableFuture<Response>> pending = sent.subList(0, 5);
    awaitRefused(sent);
    for (CompletableFuture<Response> p : sent.subList(0, 20)) {
      assertFalse(p.isDone(), "no event runs while the constructor blocks");
    }
    gate.complete(null);
    Set<Object> values = new HashSet<>();
    for (CompletableFuture<Response> p : pending) {
      values.add(p.get(10, TimeUnit.SECONDS).json(Map.class).get("value"));
    }
    assertEquals(5, values.size());
  }

  @Test
  void queueBeyondItsBoundAnswersOverloadedWithARetryableError() throws Exception {
    Stub stub = fixture.runtime.namespace("blocking").getByName("crowded");
    CompletableFuture<Void> gate = new CompletableFuture<>();
    TestObjects.GATES.put(stub.id().toString(), gate);
    List<CompletableFuture<Response>> pending = sendInOrder(stub, 30);
    // Refusals come at once, while the admitted requests wait behind the blocked constructor.
    awaitRefused(pending);
    List<CompletableFuture<Response>> admitted = new ArrayList<>();
    int overloaded = 0;
    for (CompletableFuture<Response> p : pending) {
      if (p.isCompletedExceptionally()) {
        ExecutionException e =
            org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, p::get);
        OverloadedException o = assertInstanceOf(OverloadedException.class, e.getCause());
        assertTrue(o.isRetryable());
        assertEquals(Duration.ofSeconds(1), o.retryAfter());
        overloaded++;
      } else {
        assertFalse(p.isDone(), "admitted requests wait for the constructor");
        admitted.add(p);
      }
    }
    assertEquals(10, overloaded, "the 10 requests beyond the bound of 20 were refused");
    gate.complete(null);
    for (CompletableFuture<Response> p : admitted) {
      assertEquals(200, p.get(10, TimeUnit.SECONDS).status());
    }
  }

  @Test
  void malformedAndForeignIdsAreRejected() {
    var counters = fixture.runtime.namespace("probe");
    var other = fixture.runtime.namespace("blocking");
    String foreign = other.idFromName("x").toString();
    DuroException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            DuroException.class, () -> counters.idFromString(foreign));
    assertEquals("invalid_id", e.code());
    e =
        org.junit.jupiter.api.Assertions.assertThrows(
            DuroException.class, () -> counters.idFromString("ABC"));
    assertEquals("invalid_id", e.code());
    assertEquals(counters.idFromName("x"), counters.idFromName("x"));
    assertFalse(counters.idFromName("x").equals(other.idFromName("x")));
    assertEquals(
        counters.idFromName("x"), counters.idFromString(counters.idFromName("x").toString()));
  }

  @Test
  void resetFailureReachesCallersAsObjectResetException() throws Exception {
    DuroException e = failure(probe("reset-type"), "/throw");
    assertInstanceOf(ObjectResetException.class, e);
    assertFalse(e.isRetryable());
  }

  @Test
  void constructorWhoseBlockConcurrencyWhileFailsAtOnceFailsEachRequestWithObjectError()
      throws Exception {
    Stub stub = fixture.runtime.namespace("failing-init").getByName("sync-failure");
    for (int i = 0; i < 3; i++) {
      DuroException e = failure(stub, "/");
      assertEquals("object_error", e.code());
      assertTrue(e.getMessage().contains("init failed"), e.getMessage());
    }
  }

  @Test
  void constructorWhoseBlockConcurrencyWhileFailsLaterFailsTheWaitingRequests() throws Exception {
    Stub stub = fixture.runtime.namespace("failing-init").getByName("async-failure");
    TestObjects.GATES.put(stub.id().toString(), new CompletableFuture<>()); // selects "later"
    List<CompletableFuture<Response>> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waiting.add(stub.fetch(Request.post("/", "")).toCompletableFuture());
    }
    for (CompletableFuture<Response> w : waiting) {
      ExecutionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> w.get(10, TimeUnit.SECONDS));
      assertEquals("object_error", assertInstanceOf(DuroException.class, e.getCause()).code());
    }
    int constructed = TestObjects.constructed(stub.id().toString());
    // a round trip to the object after the reset: only its own event constructs an instance
    assertEquals("object_error", failure(stub, "/").code());
    assertEquals(constructed + 1, TestObjects.constructed(stub.id().toString()), "no reset loop");
  }

  @Test
  void objectReachedByNameKnowsItsName() throws Exception {
    assertEquals("has a name", call(probe("has a name"), "/name").text());
    var ns = fixture.runtime.namespace("probe");
    Stub byId = ns.get(ns.idFromString(ns.newUniqueId().toString()));
    assertEquals("(none)", call(byId, "/name").text());
  }
}

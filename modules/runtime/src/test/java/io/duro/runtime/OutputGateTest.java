package io.duro.runtime;

import static io.duro.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.ObjectResetException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import io.duro.runtime.connections.Connections;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output gate, group commit and write failures, observed through a journal whose writes the
 * test holds back or fails.
 */
class OutputGateTest {

  @TempDir static Path dataDir;
  static RuntimeFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    ControllableJournal.reset();
    fixture =
        RuntimeFixture.start(
            dataDir,
            RuntimeFixture.CONTROLLABLE_JOURNAL,
            Application.of(ObjectBinding.of("probe", TestObjects.Probe.class)));
  }

  @AfterAll
  static void stop() throws Exception {
    ControllableJournal.release();
    fixture.close();
  }

  @BeforeEach
  void openGate() {
    ControllableJournal.release();
    ControllableJournal.failWrites(false);
  }

  static Stub probe(String name) {
    return fixture.runtime.namespace("probe").getByName(name);
  }

  static String pid(Stub stub) {
    return TestObjects.Probe.class.getName() + "|" + stub.id();
  }

  static CompletableFuture<Response> send(Stub stub, String path) {
    return stub.fetch(Request.post(path, "")).toCompletableFuture();
  }

  static void awaitWrites(int atLeast) throws Exception {
    await(
        "journal write started", () -> ControllableJournal.WRITES_STARTED.get() >= atLeast, 10_000);
  }

  /**
   * Sends {@code /barrier} after what the test sent to the object (in order: its placement is
   * known) and waits until the barrier's turn ran. The object runs one turn at a time, so every
   * earlier turn has ended by then: what a broken gate would have let out is out.
   */
  static void awaitBarrier(Stub stub) throws Exception {
    String id = stub.id().toString();
    int passed = TestObjects.barriers(id);
    send(stub, "/barrier");
    await("the barrier's turn", () -> TestObjects.barriers(id) > passed, 10_000);
  }

  @Test
  void responseIsNotSentBeforeItsWriteIsDurable() throws Exception {
    Stub stub = probe("gated");
    send(stub, "/increment").get(10, TimeUnit.SECONDS); // the object is up
    int writes = ControllableJournal.WRITES_STARTED.get();
    ControllableJournal.hold();
    CompletableFuture<Response> increment = send(stub, "/increment");
    awaitWrites(writes + 1);
    awaitBarrier(stub);
    assertFalse(increment.isDone(), "held while its write is in flight");
    // a read that saw the unconfirmed value is held too
    CompletableFuture<Response> read = send(stub, "/");
    awaitBarrier(stub);
    assertFalse(read.isDone(), "a read of unconfirmed state is held as well");
    ControllableJournal.release();
    assertEquals("{\"value\":2}", increment.get(10, TimeUnit.SECONDS).text());
    assertEquals("{\"value\":2}", read.get(10, TimeUnit.SECONDS).text());
  }

  @Test
  void webSocketAcceptanceAndSendsWaitForTheirTurnsWrites() throws Exception {
    Stub stub = probe("socket-gated");
    send(stub, "/increment").get(10, TimeUnit.SECONDS); // the object is up: value 1
    Connections connections = fixture.runtime.connections();
    String id = connections.open();
    java.util.concurrent.BlockingQueue<Connections.Signal> signals =
        new java.util.concurrent.LinkedBlockingQueue<>();
    connections.attach(id, signals::add);
    int writes = ControllableJournal.WRITES_STARTED.get();
    ControllableJournal.hold();
    CompletableFuture<Response> upgrade =
        stub.fetch(
                new Request(
                    "GET",
                    "/accept",
                    io.duro.api.Headers.of("Upgrade", "websocket"),
                    null,
                    id))
            .toCompletableFuture();
    awaitWrites(writes + 1);
    awaitBarrier(stub);
    assertTrue(signals.isEmpty(), "nothing reaches the client before the write is durable");
    assertFalse(upgrade.isDone());
    ControllableJournal.release();
    assertEquals(101, upgrade.get(10, TimeUnit.SECONDS).status());
    Connections.Accepted accepted =
        assertInstanceOf(Connections.Accepted.class, signals.poll(10, TimeUnit.SECONDS));
    Connections.Send first =
        assertInstanceOf(Connections.Send.class, signals.poll(10, TimeUnit.SECONDS));
    assertEquals("accepted at 2", first.text());

    // a message from the client: the handler's send waits for the handler's write too
    writes = ControllableJournal.WRITES_STARTED.get();
    ControllableJournal.hold();
    CompletableFuture<Boolean> handled =
        connections
            .deliver(accepted, Connections.EventKind.TEXT, "hello", null, 0, null, false)
            .toCompletableFuture();
    awaitWrites(writes + 1);
    awaitBarrier(stub);
    assertTrue(signals.isEmpty(), "the echo is held while its write is in flight");
    ControllableJournal.release();
    assertTrue(handled.get(10, TimeUnit.SECONDS), "the object knows the socket");
    Connections.Send echo =
        assertInstanceOf(Connections.Send.class, signals.poll(10, TimeUnit.SECONDS));
    assertEquals("hello at 3", echo.text());
    connections.release(id);
  }

  @Test
  void turnsThatRunWhileAWriteIsInFlightAreCommittedAsOneEvent() throws Exception {
    Stub stub = probe("grouped");
    send(stub, "/increment").get(10, TimeUnit.SECONDS);
    assertEquals(1, ControllableJournal.eventCount(pid(stub)));
    int writes = ControllableJournal.WRITES_STARTED.get();
    ControllableJournal.hold();
    CompletableFuture<Response> first = send(stub, "/increment");
    awaitWrites(writes + 1);
    List<CompletableFuture<Response>> more = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      more.add(send(stub, "/increment"));
    }
    awaitBarrier(stub);
    for (CompletableFuture<Response> f : more) {
      assertFalse(f.isDone());
    }
    ControllableJournal.release();
    assertEquals("{\"value\":2}", first.get(10, TimeUnit.SECONDS).text());
    for (int i = 0; i < 50; i++) {
      assertEquals("{\"value\":" + (i + 3) + "}", more.get(i).get(10, TimeUnit.SECONDS).text());
    }
    // one event for the first turn, one for the 50 turns that ran while it was written
    assertEquals(3, ControllableJournal.eventCount(pid(stub)));
  }

  @Test
  void allowUnconfirmedWriteDoesNotHoldTheResponse() throws Exception {
    Stub stub = probe("unconfirmed");
    send(stub, "/").get(10, TimeUnit.SECONDS);
    ControllableJournal.hold();
    Response r = send(stub, "/increment-unconfirmed").get(5, TimeUnit.SECONDS);
    assertEquals("{\"value\":1}", r.text());
    ControllableJournal.release();
  }

  @Test
  void failedWriteFailsTheCallerResetsTheObjectAndLosesOnlyThatWrite() throws Exception {
    Stub stub = probe("failing");
    send(stub, "/increment").get(10, TimeUnit.SECONDS);
    int constructedBefore = TestObjects.constructed(stub.id().toString());
    ControllableJournal.failWrites(true);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> send(stub, "/increment").get(10, TimeUnit.SECONDS));
    ObjectResetException reset = assertInstanceOf(ObjectResetException.class, e.getCause());
    assertEquals("storage_failed", reset.code());
    assertTrue(reset.isRetryable());
    ControllableJournal.failWrites(false);
    Response after = send(stub, "/").get(10, TimeUnit.SECONDS);
    assertEquals(1L, ((Number) after.json(Map.class).get("value")).longValue());
    assertTrue(TestObjects.constructed(stub.id().toString()) > constructedBefore);
    assertEquals("{\"value\":2}", send(stub, "/increment").get(10, TimeUnit.SECONDS).text());
  }
}

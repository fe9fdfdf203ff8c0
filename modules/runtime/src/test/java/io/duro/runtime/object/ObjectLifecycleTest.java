package io.duro.runtime.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.runtime.RuntimeSettings;
import io.duro.runtime.alarms.AlarmIndex;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.internal.ObjectReply;
import io.duro.runtime.internal.WireRequest;
import io.duro.runtime.placement.ObjectAddress;
import io.duro.storage.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The object across incarnations without an actor: the lifecycle over the in-memory test backend,
 * its messages handed in by the test as the entity would, replies caught in test inboxes.
 */
class ObjectLifecycleTest {

  /** A counter: {@code /inc} adds one and answers the new value, {@code /fail} throws. */
  public static final class Counter implements DurableObject {
    private final DurableObjectState state;

    public Counter(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      if (request.path().equals("/fail")) {
        throw new IllegalStateException("boom");
      }
      long n = state.storage().get("n", Long.class).orElse(0L);
      if (request.path().equals("/inc")) {
        state.storage().put("n", ++n);
      }
      return CompletableFuture.completedFuture(Response.text(String.valueOf(n)));
    }
  }

  private static final RuntimeSettings SETTINGS = RuntimeSettings.from(ConfigFactory.load());
  private static final String HEX = "ab".repeat(32);

  /** What the entity does for the lifecycle: journals from the test backend, a mailbox. */
  private final class TestActor implements ObjectLifecycle.Actor {
    final List<ObjectCommand.RunInTurn> mailbox = new ArrayList<>();
    boolean watching;

    @Override
    public StorageBackend.Journal startJournal(int generation) {
      return backend.start(generation);
    }

    @Override
    public void runLater(Runnable action, Incarnation incarnation) {
      mailbox.add(new ObjectCommand.RunInTurn(action, incarnation));
    }

    @Override
    public void watchEvents(boolean on) {
      watching = on;
    }

    @Override
    public void alarmTimer(long delayMillis) {}

    @Override
    public void whenIndexWritten(CompletionStage<Void> write, int generation, long floorMillis) {}

    @Override
    public void whenIndexRead(CompletionStage<Optional<AlarmIndex.Entry>> read, int generation) {}
  }

  private final MemoryBackend backend = new MemoryBackend();
  private final TestActor actor = new TestActor();
  private final ObjectLifecycle object =
      new ObjectLifecycle(
          new ObjectSetup("test.Counter", Counter.class, SETTINGS, ValueCodec.create(),
              turns -> null, null, null, Clock.systemUTC(), null),
          new ObjectAddress("test.Counter", HEX, null, "local"),
          actor,
          "test:0",
          "local");

  private TestInbox<ObjectReply> send(String path) {
    TestInbox<ObjectReply> caller = TestInbox.create();
    ObjectAddress address = new ObjectAddress("test.Counter", HEX, null, "local");
    object.deliver(
        new ObjectCommand.Deliver(
            WireRequest.Req.of(Request.post(path, "")), address, caller.getRef()));
    return caller;
  }

  private int generation() {
    return backend.started.get(backend.started.size() - 1);
  }

  private void recover() {
    object.recovered(new ObjectCommand.Recovered(backend.recover(), generation()));
  }

  /** The journal confirms its oldest write, as the entity hears it. */
  private void confirm() {
    MemoryBackend.Write w = backend.confirm();
    object.persisted(new ObjectCommand.Persisted(w.upTo(), generation()));
  }

  private static String value(TestInbox<ObjectReply> caller) {
    ObjectReply reply = caller.receiveMessage();
    assertInstanceOf(ObjectReply.Ok.class, reply, reply.toString());
    return new String(((ObjectReply.Ok) reply).response().body(), StandardCharsets.UTF_8);
  }

  private static String failure(TestInbox<ObjectReply> caller) {
    ObjectReply reply = caller.receiveMessage();
    assertInstanceOf(ObjectReply.Failed.class, reply, reply.toString());
    return ((ObjectReply.Failed) reply).code();
  }

  @Test
  void requestsBeforeRecovery_wait_thenRunInArrivalOrder_answeredOnceDurable() {
    TestInbox<ObjectReply> first = send("/inc");
    TestInbox<ObjectReply> second = send("/inc");
    assertEquals(ObjectLifecycle.Phase.STARTING, object.phase());
    assertFalse(first.hasMessages());
    recover();
    assertEquals(ObjectLifecycle.Phase.READY, object.phase());
    assertFalse(first.hasMessages(), "held until the write is durable");
    confirm();
    assertEquals("1", value(first));
    confirm();
    assertEquals("2", value(second));
    assertTrue(object.idle());
  }

  @Test
  void writeFailure_failsHeldAnswers_andTheNextIncarnationSeesOnlyDurableWrites() {
    recover();
    send("/inc");
    confirm();
    TestInbox<ObjectReply> lost = send("/inc");
    object.journalStopped(new ObjectCommand.JournalStopped(generation()));
    assertEquals("storage_failed", failure(lost));
    assertEquals(ObjectLifecycle.Phase.STARTING, object.phase());
    assertEquals(List.of(1, 2), backend.started);
    backend.inFlight.clear(); // the failed write never became durable
    recover();
    TestInbox<ObjectReply> read = send("/get");
    assertEquals("1", value(read));
  }

  @Test
  void resetWithAWriteInFlight_letsItFinishBeforeTheJournalStops() {
    recover();
    TestInbox<ObjectReply> kept = send("/inc");
    TestInbox<ObjectReply> failing = send("/fail");
    assertEquals("object_error", failure(failing));
    assertEquals(ObjectLifecycle.Phase.RESETTING, object.phase());
    assertEquals("object_error", failure(kept), "its answer was held by the reset incarnation");
    assertEquals(0, backend.stopped, "the journal finishes the write in flight first");
    TestInbox<ObjectReply> waiting = send("/get");
    confirm();
    assertEquals(1, backend.stopped);
    object.journalStopped(new ObjectCommand.JournalStopped(generation()));
    assertEquals(List.of(1, 2), backend.started);
    recover();
    assertEquals("1", value(waiting), "the waiting request ran on the new incarnation");
  }

  @Test
  void recoveryFailure_refusesWaitingRequests_andStops() {
    TestInbox<ObjectReply> waiting = send("/get");
    object.journalStopped(new ObjectCommand.JournalStopped(generation()));
    assertEquals("storage_failed", failure(waiting));
    assertEquals(ObjectLifecycle.Phase.STOPPED, object.phase());
  }

  @Test
  void requestsBeyondTheBound_areRefusedAsOverloaded() {
    for (int i = 0; i < SETTINGS.maxQueuedRequests(); i++) {
      send("/get");
    }
    assertEquals("overloaded", failure(send("/get")));
  }

  @Test
  void answersOfAnOlderJournal_areIgnored() {
    recover();
    TestInbox<ObjectReply> held = send("/inc");
    object.persisted(new ObjectCommand.Persisted(1, generation() + 7));
    assertFalse(held.hasMessages());
    confirm();
    assertEquals("1", value(held));
  }
}

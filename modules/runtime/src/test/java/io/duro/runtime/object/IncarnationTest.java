package io.duro.runtime.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectId;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.ObjectResetException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import io.duro.runtime.internal.ObjectReply;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The object core without an actor: an incarnation over the in-memory test backend, driven by a
 * shell that does what the entity does (hand batches to the journal, reset, run mailbox turns).
 */
class IncarnationTest {

  private final MemoryBackend backend = new MemoryBackend();
  private final TestShell shell = new TestShell();
  private Incarnation inc = shell.open();
  private final List<String> sent = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();

  /** What the entity does for its incarnation, in plain Java. */
  private final class TestShell implements Incarnation.Shell {
    final StorageBackend.Journal journal = backend.start(1);
    final List<ObjectResetException> resets = new ArrayList<>();
    final List<Runnable> mailbox = new ArrayList<>();
    final InputGate<Object> input = new InputGate<>(100);
    int eventsRunning;

    Incarnation open() {
      return new Incarnation(this, backend.recover(), turns -> null);
    }

    @Override
    public DurableObjectId id() {
      return new DurableObjectId("ab".repeat(32), null);
    }

    @Override
    public Clock clock() {
      return Clock.systemUTC();
    }

    @Override
    public void flush() {
      GroupCommit.Flush batch = inc.commit().take();
      if (batch != null) {
        journal.persist(batch.batch(), batch.upTo());
      }
    }

    @Override
    public void reset(ObjectResetException reason) {
      resets.add(reason);
      inc.discard(reason, connection -> {});
    }

    @Override
    public void runLater(Runnable action, Incarnation incarnation) {
      mailbox.add(() -> {
        if (incarnation == inc && !incarnation.turns().discarded()) {
          inc.turn(action);
        }
      });
    }

    @Override
    public void eventsRunning() {
      eventsRunning++;
    }

    @Override
    public InputGate<?> input() {
      return input;
    }

    @Override
    public ObjectSockets sockets() {
      return null;
    }
  }

  private Storage storage() {
    return inc.storage().storage();
  }

  private void reply(String output) {
    inc.turns().emit(() -> sent.add(output), e -> failed.add(output + ":" + e.code()));
  }

  /** The journal confirms its oldest write, as the entity hears it. */
  private void confirm() {
    MemoryBackend.Write w = backend.confirm();
    assertSame(w.batch(), inc.commit().written());
    inc.durable(w.upTo());
  }

  @Test
  void turn_withWrites_holdsItsOutputUntilTheBatchIsDurable() {
    inc.turn(() -> {
      storage().put("n", 1L);
      reply("one");
    });
    assertEquals(1, backend.inFlight.size());
    assertEquals(List.of(), sent);
    confirm();
    assertEquals(List.of("one"), sent);
  }

  @Test
  void turn_withoutWrites_sendsAtOnceWhenNothingConfirmedIsOutstanding() {
    inc.turn(() -> reply("read"));
    assertEquals(List.of("read"), sent);
    assertTrue(backend.inFlight.isEmpty());
  }

  @Test
  void turnsDuringAWriteInFlight_areCommittedAsOneBatch_andReleasedInOrder() {
    inc.turn(() -> { storage().put("a", 1L); reply("a"); });
    inc.turn(() -> { storage().put("b", 2L); reply("b"); });
    inc.turn(() -> { storage().put("c", 3L); reply("c"); });
    inc.turn(() -> reply("read")); // reads what is not yet durable: waits with it
    assertEquals(1, backend.inFlight.size());
    confirm();
    assertEquals(List.of("a"), sent);
    assertEquals(1, backend.inFlight.size());
    assertEquals(3, backend.inFlight.get(0).upTo());
    assertEquals(2, backend.inFlight.get(0).batch().puts().size());
    confirm();
    assertEquals(List.of("a", "b", "c", "read"), sent);
    assertTrue(inc.idle());
  }

  @Test
  void turnThatAsksForAReset_writesNothing_failsItsOutputs_andResets() {
    inc.turn(() -> {
      storage().put("n", 1L);
      reply("lost");
      inc.turns().requestReset(new ObjectResetException("aborted", "no", false, null), false);
    });
    assertTrue(backend.inFlight.isEmpty());
    assertEquals(List.of(), sent);
    assertEquals(List.of("lost:aborted"), failed);
    assertEquals(1, shell.resets.size());
  }

  @Test
  void discard_failsEventsInProgressAndHeldOutputs_andDropsTheirLaterCompletions() {
    List<ObjectReply> replies = new ArrayList<>();
    inc.begin(replies::add, null);
    Runnable[] later = new Runnable[1];
    inc.turn(() -> {
      storage().put("n", 1L);
      reply("held");
      later[0] = inc.turns().onTurn(() -> storage().put("late", 1L));
    });
    inc.discard(new ObjectResetException("timeout", "slow", false, null), c -> {});
    CompletableFuture.runAsync(later[0]).join();
    shell.mailbox.forEach(Runnable::run);
    assertEquals(List.of("held:timeout"), failed);
    assertEquals(1, replies.size());
    assertEquals("timeout", ((ObjectReply.Failed) replies.get(0)).code());
    assertEquals(1, backend.inFlight.size(), "only the batch written before the reset");
  }

  @Test
  void storage_usedOutsideATurn_failsLoudly() {
    assertThrows(IllegalStateException.class, () -> storage().put("n", 1L));
  }

  @Test
  void recoveredIncarnation_seesOnlyWhatWasDurable() {
    inc.turn(() -> storage().put("kept", 1L));
    confirm();
    inc.turn(() -> storage().put("lost", 1L));
    shell.reset(new ObjectResetException("storage_failed", "write failed", true, null));
    inc = shell.open();
    Optional<?>[] read = new Optional<?>[2];
    inc.turn(() -> {
      read[0] = storage().get("kept", Long.class);
      read[1] = storage().get("lost", Long.class);
    });
    assertEquals(Optional.of(1L), read[0]);
    assertEquals(Optional.empty(), read[1]);
  }

  @Test
  void sync_completesWhenEveryWriteSoFarIsDurable() {
    CompletionStage<?>[] synced = new CompletionStage<?>[1];
    inc.turn(() -> {
      storage().put("n", 1L);
      synced[0] = storage().sync();
    });
    assertFalse(synced[0].toCompletableFuture().isDone());
    confirm();
    assertTrue(synced[0].toCompletableFuture().isDone());
  }

  @Test
  void busy_countsEventsAndHeldOutputsButNotLocks() {
    inc.begin(null, null);
    inc.lock();
    inc.turn(() -> { storage().put("n", 1L); reply("held"); });
    assertEquals(2, inc.busy());
    assertTrue(shell.eventsRunning > 0);
  }

  /** A class whose constructor writes, then throws. */
  public static final class Failing implements DurableObject {
    public Failing(DurableObjectState state, Env env) {
      state.storage().put("half", 1L);
      throw new IllegalStateException("no config");
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return CompletableFuture.completedFuture(Response.status(200));
    }
  }

  /** A class that counts its constructions in storage. */
  public static final class Counting implements DurableObject {
    public Counting(DurableObjectState state, Env env) {
      state.storage().put("made", state.storage().get("made", Long.class).orElse(0L) + 1);
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return CompletableFuture.completedFuture(Response.status(200));
    }
  }

  @Test
  void construct_thatThrows_leavesNoInstanceAndWritesNothing() throws Exception {
    ObjectResetException failure =
        inc.construct(Failing.class.getConstructor(DurableObjectState.class, Env.class), () -> {});
    assertNotNull(failure);
    assertEquals("object_error", failure.code());
    assertTrue(failure.getMessage().contains("no config"), failure.getMessage());
    assertFalse(inc.hasInstance());
    assertTrue(backend.inFlight.isEmpty());
  }

  @Test
  void construct_runsAsATurnWhoseWritesAreCommitted() throws Exception {
    assertNull(
        inc.construct(Counting.class.getConstructor(DurableObjectState.class, Env.class), () -> {}));
    assertTrue(inc.hasInstance());
    assertEquals(1, backend.inFlight.size());
  }
}

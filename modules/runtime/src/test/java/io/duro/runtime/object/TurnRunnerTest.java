package io.duro.runtime.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.ObjectResetException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TurnRunnerTest {

  private final List<Runnable> mailbox = new ArrayList<>();
  private final TurnRunner turns = new TurnRunner(mailbox::add);

  @Test
  void inTurn_onlyWhileATurnRuns() {
    boolean[] inside = new boolean[1];
    turns.run(() -> inside[0] = turns.inTurn());
    assertTrue(inside[0]);
    assertFalse(turns.inTurn());
  }

  @Test
  void onTurn_calledInATurn_runsAsAContinuationBeforeTheTurnEnds() {
    List<String> order = new ArrayList<>();
    turns.run(
        () -> {
          turns.onTurn(() -> order.add("continuation")).run();
          order.add("body");
        });
    order.add("after");
    assertEquals(List.of("body", "continuation", "after"), order);
    assertTrue(mailbox.isEmpty());
  }

  @Test
  void onTurn_calledFromAnotherThread_goesToTheMailbox() throws Exception {
    List<String> ran = new ArrayList<>();
    Runnable bound = turns.onTurn(() -> ran.add("later"));
    CompletableFuture.runAsync(bound).get();
    assertEquals(List.of(), ran);
    assertEquals(1, mailbox.size());
    turns.run(mailbox.get(0));
    assertEquals(List.of("later"), ran);
  }

  @Test
  void discard_dropsContinuationsScheduledOnItsTurn() {
    List<String> ran = new ArrayList<>();
    turns.run(
        () -> {
          turns.discard();
          turns.onTurn(() -> ran.add("continuation")).run();
        });
    assertEquals(List.of(), ran);
    assertTrue(turns.discarded());
  }

  @Test
  void requestReset_theFirstReasonWins() {
    ObjectResetException first = new ObjectResetException("aborted", "first", false, null);
    turns.requestReset(first, true);
    turns.requestReset(new ObjectResetException("timeout", "second", false, null), false);
    assertSame(first, turns.resetRequested());
    assertTrue(turns.failWaitingOnReset());
  }

  @Test
  void outputs_releasedThroughTheGate_orFailedWithTheReset() {
    List<String> sent = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    OutputGate gate = new OutputGate();
    turns.emit(() -> sent.add("a"), e -> failed.add("a"));
    turns.releaseOutputs(gate);
    turns.emit(() -> sent.add("b"), e -> failed.add("b:" + e.code()));
    turns.failOutputs(new ObjectResetException("aborted", "no", false, null));
    turns.releaseOutputs(gate);
    assertEquals(List.of("a"), sent);
    assertEquals(List.of("b:aborted"), failed);
  }

  @Test
  void read_marksTheThreadAsTheTurnsForTheRuntimesOwnRead() {
    assertTrue(turns.read(turns::inTurn));
    assertFalse(turns.inTurn());
  }
}

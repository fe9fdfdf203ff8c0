package io.duro.runtime.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class InputGateTest {

  private final InputGate<String> gate = new InputGate<>(3);

  @Test
  void enter_readyAndUnlocked_runsAtOnce() {
    assertTrue(gate.enter("a", true));
    assertTrue(gate.isEmpty());
  }

  @Test
  void enter_notReady_waitsAndLeavesInArrivalOrderOnceReady() {
    assertFalse(gate.enter("a", false));
    assertFalse(gate.enter("b", false));
    assertNull(gate.next(false));
    assertEquals("a", gate.next(true));
    assertEquals("b", gate.next(true));
    assertNull(gate.next(true));
  }

  @Test
  void lock_nests_andEventsWaitUntilTheLastUnlock() {
    gate.lock();
    gate.lock();
    assertFalse(gate.enter("a", true));
    gate.unlock();
    assertTrue(gate.locked());
    assertNull(gate.next(true));
    gate.unlock();
    assertFalse(gate.locked());
    assertEquals("a", gate.next(true));
  }

  @Test
  void overloaded_countsWaitingAndBusy_refusesAtTheBound() {
    gate.enter("a", false);
    assertEquals(3, gate.load(2));
    assertFalse(gate.overloaded(1));
    assertTrue(gate.overloaded(2));
  }

  @Test
  void putBack_goesBeforeEveryWaitingEvent() {
    gate.enter("b", false);
    gate.putBack("a");
    assertEquals("a", gate.next(true));
  }

  @Test
  void unlockAll_afterReset_opensTheGateAndKeepsWaitingEvents() {
    gate.lock();
    gate.enter("a", true);
    gate.unlockAll();
    assertEquals("a", gate.next(true));
  }

  @Test
  void drain_returnsEveryWaitingEventAndEmptiesTheGate() {
    gate.enter("a", false);
    gate.enter("b", false);
    assertEquals(List.of("a", "b"), gate.drain());
    assertTrue(gate.isEmpty());
  }
}

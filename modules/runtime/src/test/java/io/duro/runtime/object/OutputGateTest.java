package io.duro.runtime.object;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duro.api.DuroException;
import io.duro.api.ObjectResetException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputGateTest {

  private final OutputGate gate = new OutputGate();
  private final List<String> sent = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();

  private void send(String output) {
    gate.send(() -> sent.add(output), (DuroException e) -> failed.add(output + ":" + e.code()));
  }

  @Test
  void send_withNoConfirmedWriteOutstanding_leavesAtOnce() {
    send("a");
    assertEquals(List.of("a"), sent);
  }

  @Test
  void send_afterAConfirmedWrite_isHeldUntilThatTurnIsDurable() {
    gate.lockUntil(1);
    send("a");
    gate.lockUntil(2);
    send("b");
    assertEquals(List.of(), sent);
    assertEquals(2, gate.heldCount());
    gate.durable(1);
    assertEquals(List.of("a"), sent);
    gate.durable(2);
    assertEquals(List.of("a", "b"), sent);
    assertEquals(0, gate.heldCount());
  }

  @Test
  void send_afterTheLockedTurnIsDurable_leavesAtOnce() {
    gate.lockUntil(1);
    gate.durable(1);
    send("a");
    assertEquals(List.of("a"), sent);
  }

  @Test
  void wait_runsOnceItsTurnIsDurable_andAtOnceIfItIs() {
    List<String> done = new ArrayList<>();
    gate.wait(0, () -> done.add("now"));
    gate.wait(3, () -> done.add("later"));
    assertEquals(List.of("now"), done);
    gate.durable(2);
    assertEquals(List.of("now"), done);
    gate.durable(3);
    assertEquals(List.of("now", "later"), done);
  }

  @Test
  void broken_failsEveryHeldOutput_andNoneIsEverSent() {
    gate.lockUntil(1);
    send("a");
    send("b");
    gate.broken(new ObjectResetException("storage_failed", "write failed", true, null));
    gate.durable(1);
    assertEquals(List.of(), sent);
    assertEquals(List.of("a:storage_failed", "b:storage_failed"), failed);
  }

  @Test
  void broken_dropsAWaitWithoutRunningIt() {
    List<String> done = new ArrayList<>();
    gate.wait(1, () -> done.add("sync"));
    gate.broken(new ObjectResetException("timeout", "slow", false, null));
    gate.durable(1);
    assertEquals(List.of(), done);
  }
}

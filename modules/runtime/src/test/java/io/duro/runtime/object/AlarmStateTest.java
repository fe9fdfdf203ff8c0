package io.duro.runtime.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.runtime.AlarmSettings;
import io.duro.runtime.object.AlarmState.Action;
import io.duro.runtime.object.AlarmState.CancelTimer;
import io.duro.runtime.object.AlarmState.DeleteAlarm;
import io.duro.runtime.object.AlarmState.Due;
import io.duro.runtime.object.AlarmState.IndexDelete;
import io.duro.runtime.object.AlarmState.IndexFloor;
import io.duro.runtime.object.AlarmState.IndexUpsert;
import io.duro.runtime.object.AlarmState.LoadState;
import io.duro.runtime.object.AlarmState.SetTimer;
import io.duro.storage.WriteBatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlarmStateTest {

  private static final AlarmSettings SETTINGS =
      new AlarmSettings(
          2,
          Duration.ofSeconds(2),
          Duration.ofDays(1),
          Duration.ofSeconds(1),
          Duration.ofSeconds(1),
          100,
          1);

  private final AlarmState alarm = new AlarmState("test", SETTINGS);

  private static WriteBatch alarmSetTo(Long at) {
    return new WriteBatch(false, Map.of(), Set.of(), true, at, true);
  }

  /** An object recovered with an alarm at 1000 and no retries on record. */
  private void recoveredAt1000() {
    alarm.recovered(1000L);
    assertEquals(List.of(new LoadState()), alarm.actions());
    alarm.stateLoaded(0, 0);
    assertEquals(List.of(new SetTimer(1000)), alarm.actions());
  }

  @Test
  void recovered_withoutAlarm_cancelsTheTimer() {
    alarm.recovered(null);
    assertEquals(List.of(new CancelTimer()), alarm.actions());
  }

  @Test
  void stateLoaded_withRetriesOnRecord_setsTheTimerForTheRetry() {
    alarm.recovered(1000L);
    alarm.actions();
    alarm.stateLoaded(1, 5000);
    assertEquals(List.of(new SetTimer(5000)), alarm.actions());
    assertEquals(1, alarm.retries());
  }

  @Test
  void due_beforeItsTime_reschedulesAndDoesNotRun() {
    recoveredAt1000();
    assertEquals(Due.EARLY, alarm.due(1000L, 999, true));
    assertEquals(List.of(new SetTimer(1000)), alarm.actions());
  }

  @Test
  void due_afterATurnChangedTheAlarm_doesNothingUntilTheChangeIsDurable() {
    recoveredAt1000();
    assertEquals(Due.NOTHING, alarm.due(2000L, 1500, true));
    assertEquals(Due.NOTHING, alarm.due(null, 1500, true));
    alarm.persisted(alarmSetTo(2000L));
    assertEquals(List.of(new IndexUpsert(2000, 0), new SetTimer(2000)), alarm.actions());
  }

  @Test
  void due_whileTheObjectIsBusy_waitsAndRunsOnceFree() {
    recoveredAt1000();
    assertEquals(Due.WAITING, alarm.due(1000L, 1000, false));
    assertTrue(alarm.takeWaiting());
    assertFalse(alarm.takeWaiting());
    assertEquals(Due.RUN, alarm.due(1000L, 1000, true));
  }

  @Test
  void due_whileARunIsInProgress_doesNotStartASecond() {
    recoveredAt1000();
    alarm.start();
    assertEquals(Due.NOTHING, alarm.due(1000L, 2000, true));
  }

  @Test
  void finished_successfully_deletesTheAlarm() {
    recoveredAt1000();
    alarm.start();
    assertTrue(alarm.finished(null, 1000));
    assertEquals(List.of(), alarm.actions());
  }

  @Test
  void finished_withFailure_retriesWithBackoffThroughTheIndex() {
    recoveredAt1000();
    alarm.start();
    assertFalse(alarm.finished(new RuntimeException("boom"), 1000));
    assertEquals(List.of(new IndexUpsert(3000, 1), new SetTimer(3000)), alarm.actions());
    assertEquals(Due.EARLY, alarm.due(1000L, 2999, true));
    alarm.actions();
    assertEquals(Due.RUN, alarm.due(1000L, 3000, true));
    alarm.start();
    assertFalse(alarm.finished(new RuntimeException("boom"), 3000));
    assertEquals(List.of(new IndexUpsert(7000, 2), new SetTimer(7000)), alarm.actions());
  }

  @Test
  void finished_failingAfterTheLastRetry_dropsTheAlarm() {
    recoveredAt1000();
    for (int run = 0; run < 2; run++) {
      alarm.start();
      assertFalse(alarm.finished(new RuntimeException("boom"), 1000));
    }
    alarm.actions();
    alarm.start();
    assertTrue(alarm.finished(new RuntimeException("boom"), 1000));
    assertEquals(0, alarm.retries());
    assertEquals(List.of(), alarm.actions());
  }

  @Test
  void needsIndexFirst_onlyForAnAlarmEarlierThanTheIndexRow() {
    recoveredAt1000();
    assertTrue(alarm.needsIndexFirst(alarmSetTo(500L)));
    assertFalse(alarm.needsIndexFirst(alarmSetTo(1500L)));
    assertFalse(alarm.needsIndexFirst(alarmSetTo(null)));
    alarm.writeFloor(alarmSetTo(500L));
    assertEquals(List.of(new IndexFloor(500, 0)), alarm.actions());
    assertTrue(alarm.indexWriteInFlight());
    alarm.indexWritten(500, true);
    assertFalse(alarm.indexWriteInFlight());
    assertFalse(alarm.needsIndexFirst(alarmSetTo(500L)));
  }

  @Test
  void persisted_deletedAlarm_deletesTheIndexRowAndCancelsTheTimer() {
    recoveredAt1000();
    alarm.persisted(alarmSetTo(null));
    assertEquals(List.of(new IndexDelete(), new CancelTimer()), alarm.actions());
    assertEquals(Due.NOTHING, alarm.due(null, 5000, true));
  }

  @Test
  void reset_duringTheLastRetry_dropsTheAlarmOnRecovery() {
    recoveredAt1000();
    for (int run = 0; run < 2; run++) {
      alarm.start();
      alarm.finished(new RuntimeException("boom"), 1000);
    }
    alarm.actions();
    alarm.start();
    alarm.reset(new RuntimeException("reset"), 1000);
    assertEquals(List.of(new CancelTimer()), alarm.actions());
    alarm.recovered(1000L);
    List<Action> actions = alarm.actions();
    assertEquals(new DeleteAlarm(), actions.get(0));
  }

  @Test
  void wakeUp_beforeRecovery_reconcilesTheIndexOnceRecovered() {
    alarm.wakeUp(false, false);
    assertEquals(List.of(), alarm.actions());
    alarm.recovered(null);
    assertEquals(List.of(new IndexDelete(), new CancelTimer()), alarm.actions());
  }
}

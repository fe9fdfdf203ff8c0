package io.duro.runtime.object;

import io.duro.api.AlarmInfo;
import io.duro.api.ObjectResetException;
import java.time.Clock;
import java.time.Instant;

/**
 * Carries out what an object's {@link AlarmState} decides: the alarm timer, the object's index
 * writes (in order), reading the retry state, and running the handler on the current
 * incarnation. Answers that come back later (an index write, the retry state) go through the
 * actor, tagged with the journal generation they were asked for.
 */
final class AlarmRunner {

  private final AlarmState state;
  private final AlarmIndexWrites index;
  private final ObjectLifecycle.Actor actor;
  private final Clock clock;

  AlarmRunner(
      AlarmState state, AlarmIndexWrites index, ObjectLifecycle.Actor actor, Clock clock) {
    this.state = state;
    this.index = index;
    this.actor = actor;
    this.clock = clock;
  }

  AlarmState state() {
    return state;
  }

  long now() {
    return clock.millis();
  }

  /**
   * Performs the actions the state recorded.
   *
   * @param inc the current incarnation (deletes the alarm in a turn), or null
   * @param generation the journal generation answers are tagged with
   */
  void perform(Incarnation inc, int generation) {
    for (AlarmState.Action action : state.actions()) {
      if (action instanceof AlarmState.SetTimer t) {
        actor.alarmTimer(Math.max(0, t.atMillis() - clock.millis()));
      } else if (action instanceof AlarmState.CancelTimer) {
        actor.alarmTimer(-1);
      } else if (action instanceof AlarmState.IndexUpsert u) {
        index.upsert(u.atMillis(), u.retries());
      } else if (action instanceof AlarmState.IndexDelete) {
        index.delete();
      } else if (action instanceof AlarmState.IndexFloor f) {
        actor.whenIndexWritten(
            index.upsert(f.floorMillis(), f.retries()), generation, f.floorMillis());
      } else if (action instanceof AlarmState.LoadState) {
        actor.whenIndexRead(index.read(), generation);
      } else if (action instanceof AlarmState.DeleteAlarm && inc != null) {
        inc.turn(inc::deleteAlarm);
      }
    }
  }

  /**
   * Runs the due alarm's handler on {@code inc}; its outcome goes back to the state.
   *
   * @param inc the current incarnation, its instance made
   * @param generation the journal generation
   */
  void run(Incarnation inc, int generation) {
    long scheduled = state.scheduled();
    state.start();
    inc.runAlarm(new AlarmInfo(Instant.ofEpochMilli(scheduled), state.retries()), error -> {
      boolean unchanged = inc.alarmIs(scheduled);
      if (state.finished(error, clock.millis()) && unchanged) {
        inc.deleteAlarm(); // done, or dropped after its last retry
      }
      perform(inc, generation);
    });
  }

  /**
   * The instance the alarm was due to run on could not be made: a failed run.
   *
   * @param inc the current incarnation
   * @param failure why
   * @param generation the journal generation
   */
  void failedToStart(Incarnation inc, ObjectResetException failure, int generation) {
    inc.turn(() -> {
      if (state.failedToStart(failure, clock.millis())) {
        inc.deleteAlarm();
      }
      perform(inc, generation);
    });
  }
}

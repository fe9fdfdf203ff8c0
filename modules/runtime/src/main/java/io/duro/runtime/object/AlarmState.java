package io.duro.runtime.object;

import io.duro.runtime.AlarmSettings;
import io.duro.storage.WriteBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The alarm of one object as a state machine: it decides, the entity acts. Each input records
 * the {@link Action}s it calls for (set or cancel the timer, write the durable index, run the
 * handler, delete the alarm), which the entity takes with {@link #actions()} and performs in
 * order.
 *
 * <p>The alarm lives in the object's storage, durable with its write batch. While the object is
 * in memory a timer fires it; the durable index ({@code AlarmIndex}) wakes it when it is not.
 * Index invariant: if the durable alarm is T, the index row's time is at most T — the row is
 * written before the journal event that sets an earlier alarm ({@link #needsIndexFirst}, the
 * "floor"), and corrected after it. It fires at, never before, its time; never twice at once; a
 * failed run is retried with backoff and dropped after the last retry, the retry state kept in
 * the index so that it survives passivation.
 *
 * <p>One instance serves the object across resets: the retry state outlives an incarnation,
 * {@link #reset} clears what belonged to it. Plain Java, confined to the object's actor thread.
 */
final class AlarmState {

  /** What the entity is asked to do. */
  sealed interface Action {}

  /**
   * Sets the alarm timer.
   *
   * @param atMillis when it fires (epoch milliseconds)
   */
  record SetTimer(long atMillis) implements Action {}

  /** Cancels the alarm timer. */
  record CancelTimer() implements Action {}

  /**
   * Writes the index row (after earlier index writes of the object).
   *
   * @param atMillis the row's time
   * @param retries failed runs so far
   */
  record IndexUpsert(long atMillis, int retries) implements Action {}

  /** Deletes the index row. */
  record IndexDelete() implements Action {}

  /**
   * Writes the index row before the pending batch may be persisted; {@link #indexWritten}
   * reports the outcome.
   *
   * @param floorMillis the row's time
   * @param retries failed runs so far
   */
  record IndexFloor(long floorMillis, int retries) implements Action {}

  /** Reads the index row for the retry state; {@link #stateLoaded} reports it. */
  record LoadState() implements Action {}

  /** Deletes the alarm from the storage, in a turn. */
  record DeleteAlarm() implements Action {}

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AlarmState.class);

  private final String object;
  private final AlarmSettings settings;
  private final List<Action> actions = new ArrayList<>();

  private Long durable;
  private Long indexFloor;
  private boolean indexWriteInFlight;
  private boolean running;
  private boolean waiting;
  private boolean wakeRequested;
  private boolean dropOnRecovery;
  private boolean stateLoading;
  private int retries;
  private long notBefore;

  /**
   * Creates the state of one object's alarm.
   *
   * @param object names the object in log lines
   * @param settings retries and backoff
   */
  AlarmState(String object, AlarmSettings settings) {
    this.object = object;
    this.settings = settings;
  }

  /**
   * Takes the actions recorded since the last call.
   *
   * @return them, in order
   */
  List<Action> actions() {
    if (actions.isEmpty()) {
      return List.of();
    }
    List<Action> taken = List.copyOf(actions);
    actions.clear();
    return taken;
  }

  /**
   * The object was recovered with {@code alarm} in its storage.
   *
   * @param alarm the durable alarm, or null
   */
  void recovered(Long alarm) {
    durable = alarm;
    indexFloor = alarm;
    if (wakeRequested) {
      wakeRequested = false;
      reconcile(true);
    }
    if (dropOnRecovery) {
      dropOnRecovery = false;
      if (durable != null) {
        actions.add(new DeleteAlarm());
      }
    }
    if (durable != null && retries == 0) {
      stateLoading = true; // a passivated object may be in the middle of retries
      actions.add(new LoadState());
    } else {
      schedule();
    }
  }

  /**
   * The index row was read.
   *
   * @param retryCount failed runs recorded there (0 without a row)
   * @param dueAtMillis the row's time (0 without a row)
   */
  void stateLoaded(int retryCount, long dueAtMillis) {
    stateLoading = false;
    if (retryCount > retries) {
      retries = retryCount;
      notBefore = Math.max(notBefore, dueAtMillis);
    }
    schedule();
  }

  /**
   * Whether the index row must be lowered before {@code batch} is persisted.
   *
   * @param batch the batch about to be written
   * @return true when it sets an alarm earlier than the row
   */
  boolean needsIndexFirst(WriteBatch batch) {
    return batch.alarmChanged()
        && batch.alarmEpochMillis() != null
        && (indexFloor == null || batch.alarmEpochMillis() < indexFloor);
  }

  /**
   * Lowers the index row for {@code batch} ({@link IndexFloor}); the batch waits for it.
   *
   * @param batch the batch that sets an earlier alarm
   */
  void writeFloor(WriteBatch batch) {
    long newAlarm = batch.alarmEpochMillis();
    long floor = durable == null ? newAlarm : Math.min(durable, newAlarm);
    indexWriteInFlight = true;
    actions.add(new IndexFloor(floor, retries));
  }

  /**
   * Whether an index write must finish before the next batch.
   *
   * @return true while the floor is being written
   */
  boolean indexWriteInFlight() {
    return indexWriteInFlight;
  }

  /**
   * The floor write finished.
   *
   * @param floorMillis the time written
   * @param ok whether it succeeded (the entity resets the object otherwise)
   */
  void indexWritten(long floorMillis, boolean ok) {
    indexWriteInFlight = false;
    if (ok) {
      indexFloor = indexFloor == null ? floorMillis : Math.min(indexFloor, floorMillis);
    }
  }

  /**
   * The journal confirmed a batch: if it changed the alarm, fix the index and the timer.
   *
   * @param batch the batch
   */
  void persisted(WriteBatch batch) {
    if (batch == null || !batch.alarmChanged()) {
      return;
    }
    Long alarm = batch.alarmEpochMillis();
    durable = alarm;
    if (alarm == null) {
      retries = 0;
      notBefore = 0;
      indexFloor = null;
      actions.add(new IndexDelete());
    } else {
      if (!running) {
        retries = 0;
        notBefore = 0;
      }
      indexFloor = alarm;
      actions.add(new IndexUpsert(alarm, 0));
    }
    schedule();
  }

  /**
   * The scheduler woke the object for its alarm.
   *
   * @param ready whether the object is recovered
   * @param writesDurable whether nothing is pending, in flight or being indexed
   */
  void wakeUp(boolean ready, boolean writesDurable) {
    if (!ready) {
      wakeRequested = true;
      return;
    }
    reconcile(writesDurable);
    if (!running) {
      schedule();
    }
  }

  /** A row without an alarm behind it (the alarm was deleted but its row stayed) goes. */
  private void reconcile(boolean writesDurable) {
    if (durable == null && writesDurable && !indexWriteInFlight) {
      indexFloor = null;
      actions.add(new IndexDelete());
    }
  }

  /** Sets the timer for the durable alarm, or cancels it. */
  private void schedule() {
    if (stateLoading) {
      return; // stateLoaded schedules it
    }
    actions.add(durable == null ? new CancelTimer() : new SetTimer(Math.max(durable, notBefore)));
  }

  /** How the timer's firing is judged. */
  enum Due {
    /** Nothing to run: no alarm, it runs already, or a turn changed it. */
    NOTHING,
    /** Too early (the timer was rescheduled). */
    EARLY,
    /** The object is busy: it runs once the object is free ({@link #takeWaiting}). */
    WAITING,
    /** Run it now ({@link #start}). */
    RUN
  }

  /**
   * The alarm timer fired.
   *
   * @param live the alarm as the latest turns left it, or null
   * @param nowMillis the clock
   * @param free whether the object can run a handler now (not locked, no reset pending)
   * @return what to do
   */
  Due due(Long live, long nowMillis, boolean free) {
    if (running || durable == null || !Objects.equals(live, durable)) {
      return Due.NOTHING; // a changed alarm is rescheduled once the change is durable
    }
    if (nowMillis < Math.max(durable, notBefore)) {
      schedule(); // never early
      return Due.EARLY;
    }
    if (!free) {
      waiting = true;
      return Due.WAITING;
    }
    return Due.RUN;
  }

  /** The object became busy before the due alarm could start: it runs once the object is free. */
  void postpone() {
    waiting = true;
  }

  /**
   * Whether a due alarm waits for the object to be free; clears the flag.
   *
   * @return true if it waited
   */
  boolean takeWaiting() {
    boolean was = waiting;
    waiting = false;
    return was;
  }

  /** The handler starts. */
  void start() {
    running = true;
  }

  /**
   * The durable alarm's time, which a starting run is for.
   *
   * @return epoch milliseconds
   */
  long scheduled() {
    return durable;
  }

  /**
   * Failed runs so far.
   *
   * @return the count
   */
  int retries() {
    return retries;
  }

  /**
   * The handler finished.
   *
   * @param error its failure, or null
   * @param nowMillis the clock
   * @return true when the alarm it ran for must be deleted (done, or dropped after the last retry)
   */
  boolean finished(Throwable error, long nowMillis) {
    running = false;
    if (error == null) {
      retries = 0;
      notBefore = 0;
      return true; // a successful run clears the alarm unless it set a new one
    }
    return failed(error, nowMillis, false);
  }

  /**
   * A run failed before it started (the instance could not be made).
   *
   * @param cause why
   * @param nowMillis the clock
   * @return true when the alarm must be deleted (dropped after the last retry)
   */
  boolean failedToStart(Throwable cause, long nowMillis) {
    return failed(cause, nowMillis, false);
  }

  /**
   * The object is reset: a run in progress counts as failed, retried (or dropped) after recovery.
   *
   * @param reason why
   * @param nowMillis the clock
   */
  void reset(Throwable reason, long nowMillis) {
    if (running && failed(reason, nowMillis, true)) {
      dropOnRecovery = true;
    }
    running = false;
    waiting = false;
    stateLoading = false;
    indexWriteInFlight = false;
    actions.add(new CancelTimer());
  }

  private boolean failed(Throwable cause, long nowMillis, boolean duringReset) {
    int max = settings.maxRetries();
    retries++;
    if (retries > max) {
      LOG.error(
          "Alarm of object {} failed {} times; dropping it. Last failure: {}",
          object,
          retries,
          String.valueOf(cause));
      retries = 0;
      notBefore = 0;
      return true;
    }
    notBefore = nowMillis + settings.retryDelay(retries).toMillis();
    LOG.warn(
        "Alarm of object {} failed (retry {} of {} at {}): {}",
        object,
        retries,
        max,
        Instant.ofEpochMilli(notBefore),
        String.valueOf(cause));
    indexFloor = notBefore; // the index wakes the object for the retry even if it is passivated
    actions.add(new IndexUpsert(notBefore, retries));
    if (!duringReset) {
      schedule();
    }
    return false;
  }
}

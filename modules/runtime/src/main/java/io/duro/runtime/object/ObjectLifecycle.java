package io.duro.runtime.object;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectId;
import io.duro.api.ObjectResetException;
import io.duro.api.OverloadedException;
import io.duro.runtime.alarms.AlarmIndex;
import io.duro.runtime.internal.ObjectCommand.Deliver;
import io.duro.runtime.internal.ObjectCommand.SocketEvent;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.internal.ObjectReply;
import io.duro.runtime.placement.ObjectAddress;
import io.duro.storage.WriteBatch;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One object across its incarnations, in plain Java: it recovers an incarnation from the
 * journal, lets events in through the {@link InputGate} and runs them on the incarnation, hands
 * batches to the journal, drives the alarm, and resets the object by discarding the incarnation
 * and recovering a new one. What it needs of the actor around it is the {@link Actor} port, so its
 * decisions are the same whatever runs it.
 *
 * <p>Phases: <b>starting</b> (a journal recovers; events wait), <b>ready</b> (an incarnation runs
 * events) and <b>resetting</b> (the incarnation is gone; the journal finishes the write in flight
 * and stops, then a new one recovers). What outlives an incarnation is the object's own: its
 * waiting events, connections, alarm retry state and journal generation. Answers of a journal or
 * of an index write carry the journal's generation, so an answer for an older one is ignored.
 */
final class ObjectLifecycle implements Incarnation.Shell {

  /** The object's phases. */
  enum Phase {
    STARTING,
    READY,
    RESETTING,
    STOPPED
  }

  /** What the lifecycle needs of the actor that runs it. */
  interface Actor {

    /**
     * Starts a journal incarnation, which recovers the object.
     *
     * @param generation tagged on its answers
     * @return the journal
     */
    StorageBackend.Journal startJournal(int generation);

    /**
     * Runs {@code action} later as a turn of {@code incarnation} (through the mailbox).
     *
     * @param action the code
     * @param incarnation its incarnation
     */
    void runLater(Runnable action, Incarnation incarnation);

    /**
     * Starts or stops watching the time of the events in progress ({@link #tick}).
     *
     * @param on whether to watch
     */
    void watchEvents(boolean on);

    /**
     * Sets the alarm timer ({@link #alarmDue}), or cancels it.
     *
     * @param delayMillis from now, or -1 to cancel
     */
    void alarmTimer(long delayMillis);

    /**
     * Reports a floor write's outcome later ({@link #indexWritten}).
     *
     * @param write the write
     * @param generation the journal generation it was asked for
     * @param floorMillis the time written
     */
    void whenIndexWritten(CompletionStage<Void> write, int generation, long floorMillis);

    /**
     * Reports the index row later ({@link #alarmStateLoaded}).
     *
     * @param read the read
     * @param generation the journal generation it was asked for
     */
    void whenIndexRead(CompletionStage<Optional<AlarmIndex.Entry>> read, int generation);
  }

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ObjectLifecycle.class);

  private final ObjectSetup setup;
  private final Actor actor;
  private final String hex;
  private final Constructor<? extends DurableObject> constructor;
  private final ObjectSockets sockets;
  private final Requests requests;
  private final InputGate<ObjectCommand> input;
  private final AlarmRunner alarms;
  private final long requestTimeoutNanos;

  private Phase phase;
  private DurableObjectId id;
  private StorageBackend.Journal journal;
  private int journalGeneration;
  private Incarnation inc;
  private ObjectResetException lastReset;

  /**
   * Creates the lifecycle of one object and starts recovering it.
   *
   * @param setup what the binding shares
   * @param address the object
   * @param actor the actor that runs it
   * @param node {@code host:port} of this node, named in every answer
   * @param region this node's region, named in every answer
   */
  ObjectLifecycle(
      ObjectSetup setup, ObjectAddress address, Actor actor, String node, String region) {
    this.setup = setup;
    this.actor = actor;
    this.hex = address.id();
    this.id = new DurableObjectId(hex, null);
    this.constructor = setup.constructor();
    this.requestTimeoutNanos = setup.settings().requestTimeout().toNanos();
    this.sockets = new ObjectSockets(setup.connections(), setup.namespaceKey(),
        address.entityId(), setup.codec(), setup.settings().maxConnectionsPerObject(),
        new CurrentTurns(() -> inc));
    this.requests = new Requests(setup.objectClass(), sockets, node, region);
    this.input = new InputGate<>(setup.settings().maxQueuedRequests());
    this.alarms = new AlarmRunner(
        new AlarmState(hex + " of " + setup.namespaceKey(), setup.settings().alarms()),
        new AlarmIndexWrites(setup.alarmIndex(), setup.namespaceKey(), hex), actor, setup.clock());
    startJournal();
  }

  Phase phase() {
    return phase;
  }

  /**
   * Whether nothing waits, runs, is held, unwritten or being indexed.
   *
   * @return true when the object may stop
   */
  boolean idle() {
    return input.isEmpty() && !alarms.state().indexWriteInFlight() && (inc == null || inc.idle());
  }

  // ---- the journal ----------------------------------------------------------------------------

  private void startJournal() {
    journal = actor.startJournal(++journalGeneration);
    phase = Phase.STARTING;
  }

  void recovered(ObjectCommand.Recovered msg) {
    if (msg.generation() != journalGeneration || phase != Phase.STARTING) {
      return;
    }
    inc = new Incarnation(this, msg.storage(), setup.envFactory());
    phase = Phase.READY;
    alarms.state().recovered(msg.storage().alarmEpochMillis());
    alarms.perform(inc, journalGeneration);
    drainQueue();
  }

  void persisted(ObjectCommand.Persisted msg) {
    if (msg.generation() != journalGeneration) {
      return;
    }
    if (phase == Phase.RESETTING) {
      journal.stop(); // the write in flight at the reset is done: now the journal may stop
      return;
    }
    WriteBatch written = inc.commit().written();
    alarms.state().persisted(written);
    alarms.perform(inc, journalGeneration);
    inc.durable(msg.upTo());
  }

  void journalStopped(ObjectCommand.JournalStopped msg) {
    if (msg.generation() != journalGeneration) {
      return;
    }
    if (phase == Phase.STARTING) {
      // The storage cannot be read. Nothing ran; refuse what waits and stop, so that the next
      // request tries again with a fresh entity.
      LOG.error("Object {} of {} could not be recovered from the journal", id, ns());
      ObjectResetException failure = Failures.storageFailed(
          "The storage of object " + id + " could not be read; try again later", null);
      input.drain().forEach(c -> replyTo(c).tell(Failures.reply(failure)));
      phase = Phase.STOPPED;
      return;
    }
    if (phase == Phase.READY) {
      LOG.error("Journal write of object {} of {} failed", id, ns());
      discard(Failures.storageFailed(
          "A storage write of object " + id + " failed; the object was reset", null));
    }
    startJournal(); // the journal is gone: recover with a new one
  }

  @Override
  public void flush() {
    if (inc == null || alarms.state().indexWriteInFlight() || inc.commit().inFlight()) {
      return;
    }
    WriteBatch pending = inc.commit().pending();
    if (pending != null && alarms.state().needsIndexFirst(pending)) {
      alarms.state().writeFloor(pending);
      alarms.perform(inc, journalGeneration);
      return;
    }
    GroupCommit.Flush batch = inc.commit().take();
    if (batch != null) {
      journal.persist(batch.batch(), batch.upTo());
    }
  }

  // ---- events ---------------------------------------------------------------------------------

  void deliver(Deliver d) {
    if (d.objectName() != null && id.name().isEmpty()) {
      id = new DurableObjectId(hex, d.objectName()); // id.name() inside the object
    }
    accept(d, d.replyTo());
  }

  /**
   * Runs a request or a connection event now, lets it wait, or refuses it when overloaded.
   *
   * @param event the event
   * @param replyTo its caller
   */
  void accept(ObjectCommand event, ActorRef<ObjectReply> replyTo) {
    int busy = inc == null ? 0 : inc.busy();
    if (input.overloaded(busy)) {
      replyTo.tell(Failures.reply(new OverloadedException("Object " + id + " is overloaded: "
          + input.load(busy) + " requests are queued or running (limit " + input.limit()
          + "); retry later", setup.settings().overloadRetryAfter())));
    } else if (input.enter(event, open())) {
      dispatch(event);
    }
  }

  /** Whether events may run now: an incarnation is ready and no reset is pending. */
  private boolean open() {
    return inc != null && inc.turns().resetRequested() == null;
  }

  private void drainQueue() {
    ObjectCommand event;
    while ((event = input.next(open())) != null) {
      dispatch(event);
    }
    if (open() && !input.locked() && alarms.state().takeWaiting()) {
      alarmDue();
    }
  }

  /** Runs an event now, creating the instance first. */
  private void dispatch(ObjectCommand event) {
    if (!inc.hasInstance()) {
      Incarnation current = inc;
      ObjectResetException failure = construct();
      if (inc != current || failure != null) {
        // blockConcurrencyWhile failed inside the constructor (the object was reset), or it threw
        replyTo(event).tell(Failures.reply(inc != current ? lastReset : failure));
        return;
      }
      if (input.locked()) {
        input.putBack(event); // the constructor called blockConcurrencyWhile
        return;
      }
    }
    Incarnation current = inc;
    if (event instanceof Deliver d) {
      current.turn(() -> requests.start(current, d));
    } else {
      current.turn(() -> requests.start(current, (SocketEvent) event));
    }
  }

  private ObjectResetException construct() {
    ObjectResetException failure = inc.construct(constructor, sockets::newInstance);
    if (failure != null) {
      LOG.error("Constructor of {} failed for object {}", setup.objectClass().getName(), id,
          failure.getCause());
    }
    return failure;
  }

  private static ActorRef<ObjectReply> replyTo(ObjectCommand c) {
    return c instanceof Deliver d ? d.replyTo() : ((SocketEvent) c).replyTo();
  }

  void runInTurn(ObjectCommand.RunInTurn msg) {
    if (msg.incarnation() == inc && inc != null) {
      inc.turn(msg.action());
      drainQueue();
    }
  }

  /** Checks the time of the events in progress: the oldest past the limit resets the object. */
  void tick() {
    Long oldest = inc == null ? null : inc.oldestStart();
    if (oldest == null) {
      actor.watchEvents(false);
    } else if (System.nanoTime() - oldest > requestTimeoutNanos) {
      reset(new ObjectResetException("timeout", "A request to object " + id
          + " did not complete within " + setup.settings().requestTimeout().toMillis()
          + " ms; the object was reset", false, null));
    }
  }

  // ---- alarms ---------------------------------------------------------------------------------

  void wakeUp() {
    alarms.state().wakeUp(inc != null, inc != null && inc.commit().idle());
    alarms.perform(inc, journalGeneration);
  }

  void alarmDue() {
    if (inc == null) {
      return;
    }
    AlarmState.Due due = alarms.state().due(inc.liveAlarm(), alarms.now(), open() && !input.locked());
    alarms.perform(inc, journalGeneration);
    if (due != AlarmState.Due.RUN) {
      return;
    }
    if (!inc.hasInstance()) {
      Incarnation current = inc;
      ObjectResetException failure = construct();
      if (inc != current) {
        return; // the constructor's blockConcurrencyWhile failed: recovery reschedules
      } else if (failure != null) {
        alarms.failedToStart(inc, failure, journalGeneration);
        return;
      } else if (input.locked()) {
        alarms.state().postpone(); // the constructor called blockConcurrencyWhile
        return;
      }
    }
    alarms.run(inc, journalGeneration);
  }

  void indexWritten(ObjectCommand.IndexWritten msg) {
    if (msg.generation() != journalGeneration || inc == null) {
      return;
    }
    alarms.state().indexWritten(msg.floorMillis(), msg.error() == null);
    if (msg.error() == null) {
      flush();
    } else {
      LOG.error("Alarm index write of object {} failed", id, msg.error());
      reset(Failures.storageFailed(
          "The alarm index write of object " + id + " failed; the object was reset", msg.error()));
    }
  }

  void alarmStateLoaded(ObjectCommand.AlarmStateLoaded msg) {
    if (msg.generation() == journalGeneration && inc != null) {
      alarms.state().stateLoaded(msg.retryCount(), msg.dueAtMillis());
      alarms.perform(inc, journalGeneration);
    }
  }

  // ---- reset ----------------------------------------------------------------------------------

  @Override
  public void reset(ObjectResetException reason) {
    boolean writeInFlight = inc.writeInFlight();
    discard(reason);
    if (!writeInFlight) {
      journal.stop();
    }
    phase = Phase.RESETTING;
  }

  /**
   * Discards the incarnation, and with it every write not yet durable, and fails what waits on
   * them. Waiting events stay for the next incarnation, unless the object cannot initialize.
   */
  private void discard(ObjectResetException reason) {
    LOG.info("Resetting object {} of {}: {}", id, ns(), reason.getMessage());
    lastReset = reason;
    if (inc.turns().failWaitingOnReset()) {
      input.drain().forEach(c -> replyTo(c).tell(Failures.reply(reason)));
    }
    inc.discard(reason, sockets::forget);
    inc = null;
    input.unlockAll();
    actor.watchEvents(false);
    alarms.state().reset(reason, alarms.now());
    alarms.perform(null, journalGeneration);
  }

  private String ns() {
    return setup.namespaceKey();
  }

  // ---- what the incarnation sees --------------------------------------------------------------

  @Override
  public DurableObjectId id() {
    return id;
  }

  @Override
  public Clock clock() {
    return setup.clock();
  }

  @Override
  public void runLater(Runnable action, Incarnation incarnation) {
    actor.runLater(action, incarnation);
  }

  @Override
  public void eventsRunning() {
    actor.watchEvents(true);
  }

  @Override
  public InputGate<?> input() {
    return input;
  }

  @Override
  public ObjectSockets sockets() {
    return sockets;
  }
}

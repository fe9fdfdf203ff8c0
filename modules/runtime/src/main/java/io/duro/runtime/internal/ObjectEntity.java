package io.duro.runtime.internal;

import io.duro.api.AlarmInfo;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectId;
import io.duro.api.Env;
import io.duro.api.ObjectResetException;
import io.duro.api.OverloadedException;
import io.duro.runtime.AlarmIndex;
import io.duro.runtime.Connections;
import io.duro.runtime.RuntimeSettings;
import io.duro.runtime.internal.ObjectCommand.AlarmDue;
import io.duro.runtime.internal.ObjectCommand.AlarmStateLoaded;
import io.duro.runtime.internal.ObjectCommand.Deliver;
import io.duro.runtime.internal.ObjectCommand.IndexWritten;
import io.duro.runtime.internal.ObjectCommand.JournalStopped;
import io.duro.runtime.internal.ObjectCommand.Passivate;
import io.duro.runtime.internal.ObjectCommand.PassivateNow;
import io.duro.runtime.internal.ObjectCommand.Persisted;
import io.duro.runtime.internal.ObjectCommand.Recovered;
import io.duro.runtime.internal.ObjectCommand.RunInTurn;
import io.duro.runtime.internal.ObjectCommand.SocketEvent;
import io.duro.runtime.internal.ObjectCommand.Tick;
import io.duro.runtime.internal.ObjectCommand.WakeUp;
import io.duro.storage.ValueCodec;
import io.duro.storage.WriteBatch;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * One live Durable Object: the sharded entity, a thin shell that receives the object's messages
 * and hands them to plain-Java units — the {@link InputGate}, the current {@link Incarnation}
 * (turns, {@link OutputGate}, {@link GroupCommit}), the {@link AlarmState} and the {@link
 * StorageBackend} — performing what they decide.
 *
 * <p>One behavior per phase: <b>starting</b> (the journal recovers; events wait), <b>ready</b> (an
 * incarnation runs events in turns) and <b>resetting</b> (the incarnation is discarded; the
 * journal finishes the write in flight and stops, then a new one recovers). A reset drops the
 * incarnation whole; what outlives it is the object's own: its waiting events, its connections,
 * its alarm's retry state, its journal's generation. Messages that a journal or index write sends
 * back carry the journal's generation, so an answer for an older one is ignored.
 */
public final class ObjectEntity implements Incarnation.Shell {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ObjectEntity.class);
  private static final String ALARM_TIMER = "alarm";

  /**
   * What every entity of one binding shares.
   *
   * @param namespaceKey the namespace, first part of the persistence ID
   * @param objectClass the user's class
   * @param settings runtime settings
   * @param codec the value codec
   * @param envFactory makes the {@link Env} an instance sees, given its turns
   * @param alarmIndex the durable index of pending alarms
   * @param connections the node's WebSockets and event streams
   * @param clock the runtime's clock: alarm times are compared with it (tests move it)
   * @param backends makes each object's storage backend
   */
  public record Setup(
      String namespaceKey,
      Class<? extends DurableObject> objectClass,
      RuntimeSettings settings,
      ValueCodec codec,
      Function<ObjectTurns, Env> envFactory,
      AlarmIndex alarmIndex,
      Connections connections,
      Clock clock,
      StorageBackend.Factory backends) {

    /** The binding's setup with the key-value backend. */
    public Setup(
        String namespaceKey,
        Class<? extends DurableObject> objectClass,
        RuntimeSettings settings,
        ValueCodec codec,
        Function<ObjectTurns, Env> envFactory,
        AlarmIndex alarmIndex,
        Connections connections,
        Clock clock) {
      this(namespaceKey, objectClass, settings, codec, envFactory, alarmIndex, connections, clock,
          KvBackend.factory(settings.snapshotEvery(), settings.storageLimits(), codec));
    }
  }

  private final ActorContext<ObjectCommand> ctx;
  private final TimerScheduler<ObjectCommand> timers;
  private final Setup setup;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Constructor<? extends DurableObject> constructor;
  private final String hex;
  private final ObjectSockets sockets;
  private final Requests requests;
  private final InputGate<ObjectCommand> input;
  private final AlarmState alarms;
  private final AlarmIndexWrites index;
  private final StorageBackend backend;
  private final long requestTimeoutNanos;
  private final Behavior<ObjectCommand> starting;
  private final Behavior<ObjectCommand> ready;
  private final Behavior<ObjectCommand> resetting;
  private final List<ActorRef<Done>> passivationWaiters = new ArrayList<>();

  private Behavior<ObjectCommand> phase;
  private DurableObjectId id;
  private StorageBackend.Journal journal;
  private int journalGeneration;
  private Incarnation inc;
  private ObjectResetException lastReset;
  private boolean passivating;

  /**
   * Creates the entity of one object.
   *
   * @param setup what the binding shares
   * @param entityId the sharding entity ID ({@code <hex>@<region>})
   * @param shard the shard that runs it (it passivates the object), or null
   * @return the behavior
   */
  public static Behavior<ObjectCommand> create(
      Setup setup, String entityId, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(
            timers -> new ObjectEntity(ctx, timers, setup, entityId, shard).phase));
  }

  private ObjectEntity(
      ActorContext<ObjectCommand> ctx,
      TimerScheduler<ObjectCommand> timers,
      Setup setup,
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    this.ctx = ctx;
    this.timers = timers;
    this.setup = setup;
    this.shard = shard;
    this.hex = ObjectAddress.fromEntityId(setup.namespaceKey(), entityId).id();
    this.id = new DurableObjectId(hex, null);
    try {
      this.constructor =
          setup.objectClass().getConstructor(io.duro.api.DurableObjectState.class, Env.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    RuntimeSettings settings = setup.settings();
    this.requestTimeoutNanos = settings.requestTimeout().toNanos();
    this.sockets = new ObjectSockets(setup.connections(), setup.namespaceKey(), entityId,
        setup.codec(), settings.maxConnectionsPerObject(), new CurrentTurns());
    org.apache.pekko.actor.Address self = ctx.getSystem().address();
    String node = self.host().getOrElse(() -> "local") + ":" + self.port().getOrElse(() -> 0);
    this.requests = new Requests(setup.objectClass(), sockets, node,
        ctx.getSystem().settings().config().getString("duro.region"));
    this.input = new InputGate<>(settings.maxQueuedRequests());
    this.alarms = new AlarmState(hex + " of " + setup.namespaceKey(), settings.alarms());
    this.index = new AlarmIndexWrites(setup.alarmIndex(), setup.namespaceKey(), hex);
    this.backend = setup.backends().create(ctx, setup.namespaceKey(), hex);
    this.starting = phase(b -> b.onMessage(Recovered.class, this::onRecovered)
        .onMessage(JournalStopped.class, this::onRecoveryFailed));
    this.ready = phase(b -> b.onMessage(Persisted.class, this::onPersisted)
        .onMessage(JournalStopped.class, this::onWriteFailed)
        .onMessage(RunInTurn.class, this::onRunInTurn)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(AlarmDue.INSTANCE, this::onAlarmDue)
        .onMessage(IndexWritten.class, this::onIndexWritten)
        .onMessage(AlarmStateLoaded.class, this::onAlarmStateLoaded));
    this.resetting = phase(b -> b.onMessage(Persisted.class, this::onLastWrite)
        .onMessage(JournalStopped.class, this::onJournalGone));
    startJournal();
  }

  /** A phase's behavior: its own messages, those every phase handles; others are stale there. */
  private Behavior<ObjectCommand> phase(
      UnaryOperator<BehaviorBuilder<ObjectCommand>> own) {
    return own.apply(Behaviors.receive(ObjectCommand.class))
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(SocketEvent.class, e -> accept(e, e.replyTo()))
        .onMessageEquals(Passivate.INSTANCE, this::onPassivate)
        .onMessage(PassivateNow.class, this::onPassivateNow)
        .onMessageEquals(WakeUp.INSTANCE, this::onWakeUp)
        .onAnyMessage(ignored -> Behaviors.same())
        .build();
  }

  /** The behavior of the phase the object is in, or stopped once it passivates and is idle. */
  private Behavior<ObjectCommand> next() {
    boolean idle = input.isEmpty() && !alarms.indexWriteInFlight() && (inc == null || inc.idle());
    return passivating && idle && phase != resetting ? Behaviors.stopped() : phase;
  }

  // ---- journal lifecycle ----------------------------------------------------------------------

  private void startJournal() {
    journal = backend.start(++journalGeneration);
    phase = starting;
  }

  private Behavior<ObjectCommand> onRecovered(Recovered msg) {
    if (msg.generation() != journalGeneration) {
      return Behaviors.same();
    }
    inc = new Incarnation(this, msg.storage(), setup.envFactory());
    phase = ready;
    alarms.recovered(msg.storage().alarmEpochMillis());
    performAlarmActions();
    drainQueue();
    return next();
  }

  private Behavior<ObjectCommand> onRecoveryFailed(JournalStopped msg) {
    if (msg.generation() != journalGeneration) {
      return Behaviors.same();
    }
    // The storage cannot be read. Nothing ran; refuse what waits and stop, so that the next
    // request tries again with a fresh entity.
    LOG.error("Object {} of {} could not be recovered from the journal", id, ns());
    ObjectResetException failure = Failures.storageFailed(
        "The storage of object " + id + " could not be read; try again later", null);
    input.drain().forEach(c -> replyTo(c).tell(Failures.reply(failure)));
    return Behaviors.stopped();
  }

  private Behavior<ObjectCommand> onPersisted(Persisted msg) {
    if (msg.generation() == journalGeneration) {
      WriteBatch written = inc.commit().written();
      alarms.persisted(written);
      performAlarmActions();
      inc.durable(msg.upTo());
    }
    return next();
  }

  private Behavior<ObjectCommand> onWriteFailed(JournalStopped msg) {
    if (msg.generation() != journalGeneration) {
      return Behaviors.same();
    }
    LOG.error("Journal write of object {} of {} failed", id, ns());
    discard(Failures.storageFailed(
        "A storage write of object " + id + " failed; the object was reset", null));
    startJournal(); // the journal is gone already: recover with a new one
    return next();
  }

  private Behavior<ObjectCommand> onLastWrite(Persisted msg) {
    if (msg.generation() == journalGeneration) {
      journal.stop(); // the write in flight at the reset is done: now the journal may stop
    }
    return next();
  }

  private Behavior<ObjectCommand> onJournalGone(JournalStopped msg) {
    if (msg.generation() == journalGeneration) {
      startJournal();
    }
    return next();
  }

  @Override
  public void flush() {
    if (inc == null || alarms.indexWriteInFlight() || inc.commit().inFlight()) {
      return;
    }
    WriteBatch pending = inc.commit().pending();
    if (pending != null && alarms.needsIndexFirst(pending)) {
      alarms.writeFloor(pending);
      performAlarmActions();
      return;
    }
    GroupCommit.Flush batch = inc.commit().take();
    if (batch != null) {
      journal.persist(batch.batch(), batch.upTo());
    }
  }

  // ---- events ---------------------------------------------------------------------------------

  private Behavior<ObjectCommand> onDeliver(Deliver d) {
    if (d.objectName() != null && id.name().isEmpty()) {
      id = new DurableObjectId(hex, d.objectName()); // id.name() inside the object
    }
    return accept(d, d.replyTo());
  }

  /** Runs a request or a connection event now, lets it wait, or refuses it when overloaded. */
  private Behavior<ObjectCommand> accept(ObjectCommand event, ActorRef<ObjectReply> replyTo) {
    int busy = inc == null ? 0 : inc.busy();
    if (input.overloaded(busy)) {
      replyTo.tell(Failures.reply(new OverloadedException("Object " + id + " is overloaded: "
          + input.load(busy) + " requests are queued or running (limit " + input.limit()
          + "); retry later", setup.settings().overloadRetryAfter())));
    } else if (input.enter(event, open())) {
      dispatch(event);
    }
    return next();
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
    if (open() && !input.locked() && alarms.takeWaiting()) {
      onAlarmDue();
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

  private Behavior<ObjectCommand> onRunInTurn(RunInTurn msg) {
    if (msg.incarnation() == inc) {
      inc.turn(msg.action());
      drainQueue();
    }
    return next();
  }

  private Behavior<ObjectCommand> onTick() {
    Long oldest = inc.oldestStart();
    if (oldest == null) {
      timers.cancel(Tick.INSTANCE);
    } else if (System.nanoTime() - oldest > requestTimeoutNanos) {
      reset(new ObjectResetException("timeout", "A request to object " + id
          + " did not complete within " + setup.settings().requestTimeout().toMillis()
          + " ms; the object was reset", false, null));
    }
    return next();
  }

  // ---- alarms ---------------------------------------------------------------------------------

  private Behavior<ObjectCommand> onWakeUp() {
    alarms.wakeUp(inc != null, inc != null && inc.commit().idle());
    performAlarmActions();
    return next();
  }

  private Behavior<ObjectCommand> onAlarmDue() {
    AlarmState.Due due = alarms.due(inc.liveAlarm(), setup.clock().millis(), open()
        && !input.locked());
    performAlarmActions();
    if (due != AlarmState.Due.RUN) {
      return next();
    }
    if (!inc.hasInstance()) {
      Incarnation current = inc;
      ObjectResetException failure = construct();
      if (inc != current) {
        return next(); // the constructor's blockConcurrencyWhile failed: recovery reschedules
      }
      if (failure != null) {
        inc.turn(() -> {
          if (alarms.failedToStart(failure, setup.clock().millis())) {
            inc.deleteAlarm();
          }
          performAlarmActions();
        });
        return next();
      }
      if (input.locked()) {
        alarms.postpone(); // the constructor called blockConcurrencyWhile
        return next();
      }
    }
    long scheduled = alarms.scheduled();
    Incarnation current = inc;
    alarms.start();
    current.runAlarm(new AlarmInfo(Instant.ofEpochMilli(scheduled), alarms.retries()), error -> {
      boolean unchanged = current.alarmIs(scheduled);
      if (alarms.finished(error, setup.clock().millis()) && unchanged) {
        current.deleteAlarm(); // done, or dropped after its last retry
      }
      performAlarmActions();
    });
    return next();
  }

  private Behavior<ObjectCommand> onIndexWritten(IndexWritten msg) {
    if (msg.generation() != journalGeneration) {
      return Behaviors.same();
    }
    alarms.indexWritten(msg.floorMillis(), msg.error() == null);
    if (msg.error() != null) {
      LOG.error("Alarm index write of object {} failed", id, msg.error());
      reset(Failures.storageFailed(
          "The alarm index write of object " + id + " failed; the object was reset", msg.error()));
    } else {
      flush();
    }
    return next();
  }

  private Behavior<ObjectCommand> onAlarmStateLoaded(AlarmStateLoaded msg) {
    if (msg.generation() == journalGeneration) {
      alarms.stateLoaded(msg.retryCount(), msg.dueAtMillis());
      performAlarmActions();
    }
    return next();
  }

  /** Does what the alarm state decided. */
  private void performAlarmActions() {
    for (AlarmState.Action action : alarms.actions()) {
      if (action instanceof AlarmState.SetTimer t) {
        long delay = Math.max(0, t.atMillis() - setup.clock().millis());
        timers.startSingleTimer(ALARM_TIMER, AlarmDue.INSTANCE, Duration.ofMillis(delay));
      } else if (action instanceof AlarmState.CancelTimer) {
        timers.cancel(ALARM_TIMER);
      } else if (action instanceof AlarmState.IndexUpsert u) {
        index.upsert(u.atMillis(), u.retries());
      } else if (action instanceof AlarmState.IndexDelete) {
        index.delete();
      } else if (action instanceof AlarmState.IndexFloor f) {
        int gen = journalGeneration;
        ActorRef<ObjectCommand> self = ctx.getSelf();
        index.upsert(f.floorMillis(), f.retries()).whenComplete(
            (done, error) -> self.tell(new IndexWritten(gen, f.floorMillis(), error)));
      } else if (action instanceof AlarmState.LoadState) {
        int gen = journalGeneration;
        ctx.pipeToSelf(index.read(), (row, error) -> row == null || row.isEmpty()
            ? new AlarmStateLoaded(gen, 0, 0)
            : new AlarmStateLoaded(gen, row.get().retryCount(), row.get().dueAt().toEpochMilli()));
      } else if (action instanceof AlarmState.DeleteAlarm && inc != null) {
        inc.turn(inc::deleteAlarm);
      }
    }
  }

  // ---- reset and passivation ------------------------------------------------------------------

  @Override
  public void reset(ObjectResetException reason) {
    boolean writeInFlight = inc.writeInFlight();
    discard(reason);
    if (!writeInFlight) {
      journal.stop();
    }
    phase = resetting;
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
    timers.cancel(Tick.INSTANCE);
    alarms.reset(reason, setup.clock().millis());
    performAlarmActions();
  }

  private Behavior<ObjectCommand> onPassivate() {
    passivating = true;
    // the shard now buffers new events until this instance has stopped
    passivationWaiters.forEach(w -> w.tell(Done.getInstance()));
    passivationWaiters.clear();
    return next();
  }

  /** Passivates as if idle (tests simulate hibernation): the shard then sends {@code Passivate}. */
  private Behavior<ObjectCommand> onPassivateNow(PassivateNow msg) {
    if (passivating) {
      msg.replyTo().tell(Done.getInstance());
    } else if (shard == null) {
      LOG.warn("Object {} has no shard to passivate it", id);
    } else {
      passivationWaiters.add(msg.replyTo());
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
    return next();
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
    ctx.getSelf().tell(new RunInTurn(action, incarnation));
  }

  @Override
  public void eventsRunning() {
    if (!timers.isTimerActive(Tick.INSTANCE)) {
      long millis = Math.max(10, Math.min(1000, requestTimeoutNanos / 4_000_000));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(millis));
    }
  }

  @Override
  public InputGate<?> input() {
    return input;
  }

  @Override
  public ObjectSockets sockets() {
    return sockets;
  }

  /** The turns of whichever incarnation is current: the object's sockets outlive incarnations. */
  private final class CurrentTurns implements ObjectTurns {
    @Override
    public boolean inTurn() {
      return inc != null && inc.turns().inTurn();
    }

    @Override
    public void emit(Runnable send, java.util.function.Consumer<io.duro.api.DuroException> onReset) {
      inc.turns().emit(send, onReset);
    }

    @Override
    public Runnable onTurn(Runnable action) {
      return inc.turns().onTurn(action);
    }
  }
}

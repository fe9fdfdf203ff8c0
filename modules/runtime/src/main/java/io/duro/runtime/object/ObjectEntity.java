package io.duro.runtime.object;

import io.duro.runtime.alarms.AlarmIndex;
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
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.placement.ObjectAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.function.Function;

/**
 * One live Durable Object: the sharded entity. A thin shell: it receives the object's messages,
 * hands them to the object's {@link ObjectLifecycle} (plain Java, which runs the units: {@link
 * InputGate}, {@link Incarnation} with its {@link OutputGate} and {@link GroupCommit}, {@link
 * AlarmState}, the {@link StorageBackend}), and gives the lifecycle what only an actor has:
 * timers, the mailbox, the journal child, the shard that passivates it.
 *
 * <p>One behavior per phase, each naming the messages that mean something in it: <b>starting</b>
 * (recovery), <b>ready</b> (turns, writes, alarms) and <b>resetting</b> (the last write, the
 * journal stopping); any other message is stale there and dropped.
 */
public final class ObjectEntity implements ObjectLifecycle.Actor {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ObjectEntity.class);
  private static final String ALARM_TIMER = "alarm";

  private final ActorContext<ObjectCommand> ctx;
  private final TimerScheduler<ObjectCommand> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final StorageBackend backend;
  private final Duration tickInterval;
  private final List<ActorRef<Done>> passivationWaiters = new ArrayList<>();
  private final Behavior<ObjectCommand> starting;
  private final Behavior<ObjectCommand> ready;
  private final Behavior<ObjectCommand> resetting;
  private final ObjectLifecycle object;
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
      ObjectSetup setup, String entityId, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(
            timers -> new ObjectEntity(ctx, timers, setup, entityId, shard).next()));
  }

  private ObjectEntity(
      ActorContext<ObjectCommand> ctx,
      TimerScheduler<ObjectCommand> timers,
      ObjectSetup setup,
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    this.ctx = ctx;
    this.timers = timers;
    this.shard = shard;
    ObjectAddress address = ObjectAddress.fromEntityId(setup.namespaceKey(), entityId);
    this.backend = setup.backends().create(ctx, setup.namespaceKey(), address.id());
    long timeoutMillis = setup.settings().requestTimeout().toMillis();
    this.tickInterval = Duration.ofMillis(Math.max(10, Math.min(1000, timeoutMillis / 4)));
    org.apache.pekko.actor.Address self = ctx.getSystem().address();
    this.object = new ObjectLifecycle(setup, address, this,
        self.host().getOrElse(() -> "local") + ":" + self.port().getOrElse(() -> 0),
        ctx.getSystem().settings().config().getString("duro.region"));
    this.starting = phase(b -> b.onMessage(Recovered.class, on(m -> object.recovered(m)))
        .onMessage(JournalStopped.class, on(m -> object.journalStopped(m))));
    this.ready = phase(b -> b.onMessage(Persisted.class, on(m -> object.persisted(m)))
        .onMessage(JournalStopped.class, on(m -> object.journalStopped(m)))
        .onMessage(RunInTurn.class, on(m -> object.runInTurn(m)))
        .onMessageEquals(Tick.INSTANCE, () -> then(object::tick))
        .onMessageEquals(AlarmDue.INSTANCE, () -> then(object::alarmDue))
        .onMessage(IndexWritten.class, on(m -> object.indexWritten(m)))
        .onMessage(AlarmStateLoaded.class, on(m -> object.alarmStateLoaded(m))));
    this.resetting = phase(b -> b.onMessage(Persisted.class, on(m -> object.persisted(m)))
        .onMessage(JournalStopped.class, on(m -> object.journalStopped(m))));
  }

  /** A phase's behavior: its own messages, those every phase handles; others are stale there. */
  private Behavior<ObjectCommand> phase(UnaryOperator<BehaviorBuilder<ObjectCommand>> own) {
    return own.apply(Behaviors.receive(ObjectCommand.class))
        .onMessage(Deliver.class, on(m -> object.deliver(m)))
        .onMessage(SocketEvent.class, on(m -> object.accept(m, m.replyTo())))
        .onMessageEquals(Passivate.INSTANCE, this::onPassivate)
        .onMessage(PassivateNow.class, this::onPassivateNow)
        .onMessageEquals(WakeUp.INSTANCE, () -> then(object::wakeUp))
        .onAnyMessage(stale -> Behaviors.same())
        .build();
  }

  /** A handler that gives the message to the lifecycle, then moves to the object's phase. */
  private <M> Function<M, Behavior<ObjectCommand>> on(Consumer<M> handler) {
    return message -> {
      handler.accept(message);
      return next();
    };
  }

  private Behavior<ObjectCommand> then(Runnable step) {
    step.run();
    return next();
  }

  /** The behavior of the object's phase, or stopped once it is passivating and idle. */
  private Behavior<ObjectCommand> next() {
    ObjectLifecycle.Phase phase = object.phase();
    if (phase == ObjectLifecycle.Phase.STOPPED) {
      return Behaviors.stopped();
    }
    if (passivating && phase != ObjectLifecycle.Phase.RESETTING && object.idle()) {
      return Behaviors.stopped();
    }
    return switch (phase) {
      case STARTING -> starting;
      case READY -> ready;
      default -> resetting;
    };
  }

  // ---- passivation ----------------------------------------------------------------------------

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
      LOG.warn("Object {} has no shard to passivate it", ctx.getSelf().path().name());
    } else {
      passivationWaiters.add(msg.replyTo());
      shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
    return next();
  }

  // ---- what the lifecycle asks of the actor ---------------------------------------------------

  @Override
  public StorageBackend.Journal startJournal(int generation) {
    return backend.start(generation);
  }

  @Override
  public void runLater(Runnable action, Incarnation incarnation) {
    ctx.getSelf().tell(new RunInTurn(action, incarnation));
  }

  @Override
  public void watchEvents(boolean on) {
    if (!on) {
      timers.cancel(Tick.INSTANCE);
    } else if (!timers.isTimerActive(Tick.INSTANCE)) {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, tickInterval);
    }
  }

  @Override
  public void alarmTimer(long delayMillis) {
    if (delayMillis < 0) {
      timers.cancel(ALARM_TIMER);
    } else {
      timers.startSingleTimer(ALARM_TIMER, AlarmDue.INSTANCE, Duration.ofMillis(delayMillis));
    }
  }

  @Override
  public void whenIndexWritten(CompletionStage<Void> write, int generation, long floorMillis) {
    ActorRef<ObjectCommand> self = ctx.getSelf();
    write.whenComplete(
        (done, error) -> self.tell(new IndexWritten(generation, floorMillis, error)));
  }

  @Override
  public void whenIndexRead(
      CompletionStage<Optional<AlarmIndex.Entry>> read, int generation) {
    ctx.pipeToSelf(read, (row, error) -> row == null || row.isEmpty()
        ? new AlarmStateLoaded(generation, 0, 0)
        : new AlarmStateLoaded(generation, row.get().retryCount(), row.get().dueAt().toEpochMilli()));
  }
}

package io.duro.runtime.alarms;

import io.duro.runtime.AlarmSettings;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.placement.ObjectAddress;
import io.duro.runtime.stubs.ObjectClient;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The cluster-wide alarm scheduler: one instance, run by a Sharded Daemon Process (so it moves to
 * another node when its node leaves). Every poll interval it pages through the {@link AlarmIndex}
 * rows due within the lookahead and sends each object a {@link ObjectCommand.WakeUp}; the object
 * starts (if passivated) and fires its alarm with its own timer, at — never before — its time.
 * Reads are bounded pages in {@code due_at} order, so a million pending alarms cost nothing until
 * they are due.
 */
public final class AlarmScheduler {

  /** The scheduler's protocol. */
  public sealed interface Command {}

  private enum Poll implements Command {
    INSTANCE
  }

  private record PageLoaded(List<AlarmIndex.Entry> page, long dueBefore, Throwable error)
      implements Command {}

  private final ActorContext<Command> ctx;
  private final AlarmIndex index;
  private final AlarmSettings settings;
  private final Function<String, EntityTypeKey<ObjectCommand>> keys;
  private final ClusterSharding sharding;
  private final java.time.Clock clock;
  private final ObjectClient client;
  private boolean scanning;

  private AlarmScheduler(
      ActorContext<Command> ctx,
      AlarmIndex index,
      AlarmSettings settings,
      Function<String, EntityTypeKey<ObjectCommand>> keys,
      ClusterSharding sharding,
      java.time.Clock clock,
      ObjectClient client) {
    this.ctx = ctx;
    this.client = client;
    this.clock = clock;
    this.index = index;
    this.settings = settings;
    this.keys = keys;
    this.sharding = sharding;
  }

  /**
   * Creates the scheduler.
   *
   * @param index the alarm index
   * @param settings poll interval, lookahead, page size
   * @param keys the entity type of a namespace key, or null when the namespace is not bound
   * @param sharding the node's sharding
   * @param clock the runtime's clock
   * @param client finds the entity ID (with the region) of each object to wake
   * @return the behavior
   */
  public static Behavior<Command> create(
      AlarmIndex index,
      AlarmSettings settings,
      Function<String, EntityTypeKey<ObjectCommand>> keys,
      ClusterSharding sharding,
      java.time.Clock clock,
      ObjectClient client) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                (TimerScheduler<Command> timers) -> {
                  timers.startTimerWithFixedDelay(Poll.INSTANCE, settings.pollInterval());
                  AlarmScheduler s = new AlarmScheduler(ctx, index, settings, keys, sharding, clock, client);
                  ctx.getSelf().tell(Poll.INSTANCE);
                  return s.behavior();
                }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .onMessage(PageLoaded.class, this::onPage)
        .build();
  }

  private Behavior<Command> onPoll() {
    if (!scanning) {
      scanning = true;
      load(clock.millis() + settings.lookahead().toMillis(), null);
    }
    return Behaviors.same();
  }

  private void load(long dueBefore, AlarmIndex.Entry after) {
    ctx.pipeToSelf(
        index.due(dueBefore, after, settings.pageSize()),
        (page, error) -> new PageLoaded(page, dueBefore, error));
  }

  private Behavior<Command> onPage(PageLoaded msg) {
    if (msg.error() != null) {
      ctx.getLog().warn("Scanning the alarm index failed; retrying at the next poll", msg.error());
      scanning = false;
      return Behaviors.same();
    }
    for (AlarmIndex.Entry e : msg.page()) {
      EntityTypeKey<ObjectCommand> key = keys.apply(e.namespace());
      if (key != null) {
        // Only the sharding tell runs in the callback; it touches no state of this actor.
        client
            .place(new ObjectAddress(e.namespace(), e.objectId(), null, null), null)
            .thenAccept(
                placed ->
                    sharding
                        .entityRefFor(key, placed.entityId())
                        .tell(ObjectCommand.WakeUp.INSTANCE));
      }
    }
    if (msg.page().size() == settings.pageSize()) {
      load(msg.dueBefore(), msg.page().get(msg.page().size() - 1));
    } else {
      scanning = false;
    }
    return Behaviors.same();
  }
}

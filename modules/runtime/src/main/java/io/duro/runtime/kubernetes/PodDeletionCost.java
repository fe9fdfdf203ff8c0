package io.duro.runtime.kubernetes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps the annotation {@code controller.kubernetes.io/pod-deletion-cost} of this node's pod up to
 * date, so that Kubernetes removes the youngest pods first (a scale-down, or the old ReplicaSet
 * being scaled down during a rollout). The oldest cluster members host the cluster singletons —
 * the shard coordinator among them — whose move is the most expensive hand-over.
 *
 * <p>Each node annotates only its own pod: among the {@code Up} members ordered by age, the
 * {@code annotatedPods} oldest get the costs {@code annotatedPods} (the oldest) down to 1; the
 * others keep Kubernetes' default of 0. The node patches its pod when its rank changes (a member
 * older than it left); a failed patch (RBAC, API server away) is logged and retried with a
 * doubling delay, and never stops the node.
 */
public final class PodDeletionCost extends AbstractBehavior<PodDeletionCost.Command> {

  /** The annotation the ReplicaSet controller reads when it chooses pods to delete. */
  public static final String ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

  /** What the actor reacts to. */
  public sealed interface Command {}

  private record MembersChanged(Object event) implements Command {}

  private record Patched(int cost) implements Command {}

  private record PatchFailed(int cost, Throwable error) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  private final KubernetesApi api;
  private final KubernetesSettings settings;
  private final TimerScheduler<Command> timers;
  private final UniqueAddress self;
  private final Map<UniqueAddress, Member> members = new HashMap<>();
  private Integer patched;
  private boolean inFlight;
  private Duration nextDelay;

  /**
   * Starts the actor on a node that runs in a pod.
   *
   * @param system the node's actor system
   * @param api the Kubernetes API
   * @param settings the pod's name, the number of annotated pods and the retry delays
   */
  public static void start(ActorSystem<?> system, KubernetesApi api, KubernetesSettings settings) {
    system.systemActorOf(create(api, settings), "duro-pod-deletion-cost", Props.empty());
  }

  static Behavior<Command> create(KubernetesApi api, KubernetesSettings settings) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new PodDeletionCost(ctx, timers, api, settings)));
  }

  private PodDeletionCost(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      KubernetesApi api,
      KubernetesSettings settings) {
    super(ctx);
    this.api = api;
    this.settings = settings;
    this.timers = timers;
    this.nextDelay = settings.retryDelay();
    this.self = Cluster.get(ctx.getSystem()).selfMember().uniqueAddress();
    // SelfUp comes also when the node is Up already; member events come only for changes.
    Cluster cluster = Cluster.get(ctx.getSystem());
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(ctx.messageAdapter(SelfUp.class, MembersChanged::new), SelfUp.class));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembersChanged::new),
                ClusterEvent.MemberEvent.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MembersChanged.class, this::onMembersChanged)
        .onMessageEquals(Retry.INSTANCE, this::update)
        .onMessage(Patched.class, this::onPatched)
        .onMessage(PatchFailed.class, this::onPatchFailed)
        .build();
  }

  /**
   * The cost of the member at {@code rank} (0 = oldest) among {@code annotated} annotated ones.
   *
   * @param rank the member's position by age among the Up members
   * @param annotated how many of the oldest are annotated
   * @return the cost, or 0 for a member that is not annotated
   */
  static int costOf(int rank, int annotated) {
    return rank < annotated ? annotated - rank : 0;
  }

  /**
   * Keeps the membership as the events tell it: Cluster's own read view of the state may lag
   * behind the events delivered to this actor (it showed this node as Removed on its SelfUp).
   */
  private Behavior<Command> onMembersChanged(MembersChanged changed) {
    if (changed.event() instanceof SelfUp up) {
      up.currentClusterState().getMembers().forEach(m -> members.put(m.uniqueAddress(), m));
    } else if (changed.event() instanceof ClusterEvent.MemberRemoved removed) {
      members.remove(removed.member().uniqueAddress());
    } else if (changed.event() instanceof ClusterEvent.MemberEvent event) {
      members.put(event.member().uniqueAddress(), event.member());
    }
    return update();
  }

  private Behavior<Command> update() {
    Member me = members.get(self);
    if (inFlight || me == null || me.status() != MemberStatus.up()) {
      return this; // not Up yet (a later event comes), or leaving: the pod is going away
    }
    List<Member> up = new ArrayList<>();
    for (Member m : members.values()) {
      if (m.status() == MemberStatus.up()) {
        up.add(m);
      }
    }
    up.sort(Member.ageOrdering()::compare);
    int cost = costOf(up.indexOf(me), settings.annotatedPods());
    if (patched != null && patched == cost || patched == null && cost == 0) {
      return this;
    }
    inFlight = true;
    getContext()
        .pipeToSelf(
            api.annotatePod(
                settings.podName(),
                JsonNodeFactory.instance.objectNode().put(ANNOTATION, Integer.toString(cost))),
            (pod, error) -> error == null ? new Patched(cost) : new PatchFailed(cost, error));
    return this;
  }

  private Behavior<Command> onPatched(Patched p) {
    inFlight = false;
    patched = p.cost();
    nextDelay = settings.retryDelay();
    getContext().getLog().info("Pod {}: {} = {}", settings.podName(), ANNOTATION, p.cost());
    return update();
  }

  private Behavior<Command> onPatchFailed(PatchFailed f) {
    inFlight = false;
    Throwable cause = f.error() instanceof java.util.concurrent.CompletionException
        && f.error().getCause() != null ? f.error().getCause() : f.error();
    getContext()
        .getLog()
        .warn(
            "Cannot set {} = {} on pod {} (retried in {} ms): {}",
            ANNOTATION,
            f.cost(),
            settings.podName(),
            nextDelay.toMillis(),
            cause.getMessage());
    timers.startSingleTimer(Retry.INSTANCE, nextDelay);
    Duration doubled = nextDelay.multipliedBy(2);
    nextDelay =
        doubled.compareTo(settings.retryMaxDelay()) > 0 ? settings.retryMaxDelay() : doubled;
    return this;
  }
}

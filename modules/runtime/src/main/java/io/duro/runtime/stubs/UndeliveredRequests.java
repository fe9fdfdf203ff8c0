package io.duro.runtime.stubs;

import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.internal.ObjectReply;
import org.apache.pekko.actor.AllDeadLetters;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;

/**
 * Answers requests that Cluster Sharding dropped before they reached their object, so that the
 * caller learns at once, and for certain, that the request did not run.
 *
 * <p>Sharding delivers at most once. While a shard is handed over (a node leaves, a rolling
 * update), the region that owned it drops the messages it had buffered for the shard ("Dropping
 * [n] buffered messages to shard [s] during hand off to avoid re-ordering"); a message to an
 * object that has just stopped becomes a dead letter. Either way the object never saw it, and
 * without this actor its caller would wait for the whole ask timeout (35 s by default) and then
 * not know whether the request ran. This actor, one per node, listens to the node's dead letters
 * (dropped messages included) and answers each undelivered {@link ObjectCommand.Deliver} with the
 * failure {@code not_delivered}, which {@link RetryPolicy} retries whatever the request's method:
 * it provably did not run.
 */
public final class UndeliveredRequests {

  /** The failure code of a request that did not reach its object. */
  public static final String NOT_DELIVERED = "not_delivered";

  private UndeliveredRequests() {}

  /**
   * Starts the listener on a node.
   *
   * @param system the node's actor system
   */
  public static void start(ActorSystem<?> system) {
    system.systemActorOf(create(), "duro-undelivered-requests", Props.empty());
  }

  static Behavior<AllDeadLetters> create() {
    return Behaviors.setup(
        ctx -> {
          ctx.getSystem()
              .eventStream()
              .tell(new EventStream.Subscribe<>(AllDeadLetters.class, ctx.getSelf()));
          return Behaviors.receiveMessage(
              dead -> {
                Object message = dead.message();
                // A message dropped from a buffer reaches the dead letters as Dropped, which
                // is published wrapped in a DeadLetter.
                if (message instanceof Dropped dropped) {
                  message = dropped.message();
                }
                if (message instanceof ShardingEnvelope<?> envelope) {
                  message = envelope.message();
                }
                if (message instanceof ObjectCommand.Deliver deliver
                    && deliver.replyTo() != null) {
                  deliver
                      .replyTo()
                      .tell(
                          new ObjectReply.Failed(
                              NOT_DELIVERED,
                              "The request did not reach object "
                                  + (deliver.objectName() != null
                                      ? "'" + deliver.objectName() + "'"
                                      : "")
                                  + " (it was being handed over to another node) and did not"
                                  + " run; it can be sent again",
                              true,
                              0));
                }
                return Behaviors.same();
              });
        });
  }
}

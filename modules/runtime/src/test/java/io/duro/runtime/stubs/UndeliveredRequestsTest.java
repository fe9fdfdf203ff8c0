package io.duro.runtime.stubs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.internal.ObjectReply;
import io.duro.runtime.internal.WireRequest;
import io.duro.runtime.placement.ObjectAddress;
import java.time.Duration;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests that end in the dead letters are answered not_delivered at once. */
class UndeliveredRequestsTest {

  static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
    UndeliveredRequests.start(kit.system());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static ObjectCommand.Deliver deliver(TestProbe<ObjectReply> probe) {
    return new ObjectCommand.Deliver(
        WireRequest.Req.of(Request.post("/increment", "")),
        new ObjectAddress("ns", "ab".repeat(32), "a", null),
        probe.getRef());
  }

  private static ObjectReply.Failed awaitFailed(TestProbe<ObjectReply> probe) {
    ObjectReply reply = probe.receiveMessage(Duration.ofSeconds(5));
    assertTrue(reply instanceof ObjectReply.Failed, "" + reply);
    return (ObjectReply.Failed) reply;
  }

  @Test
  void aRequestDroppedFromAShardBufferDuringHandOffIsAnsweredNotDelivered() {
    TestProbe<ObjectReply> probe = kit.createTestProbe();
    ActorRef deadLetters = Adapter.toClassic(kit.system()).deadLetters();
    // What ShardRegion does with the messages it buffered for a shard it hands off.
    deadLetters.tell(
        new Dropped(
            new ShardingEnvelope<>("id", deliver(probe)),
            "Avoiding reordering of buffered messages at shard handoff",
            ActorRef.noSender(),
            ActorRef.noSender()),
        ActorRef.noSender());
    ObjectReply.Failed failed = awaitFailed(probe);
    assertEquals("not_delivered", failed.code());
    assertTrue(failed.retryable());
    assertTrue(failed.message().contains("did not run"), failed.message());
  }

  @Test
  void aRequestToAStoppedObjectIsAnsweredNotDelivered() {
    TestProbe<ObjectReply> probe = kit.createTestProbe();
    ActorRef deadLetters = Adapter.toClassic(kit.system()).deadLetters();
    deadLetters.tell(
        new DeadLetter(deliver(probe), deadLetters, deadLetters), ActorRef.noSender());
    assertEquals("not_delivered", awaitFailed(probe).code());
  }

  @Test
  void otherDeadLettersAreIgnored() {
    TestProbe<ObjectReply> probe = kit.createTestProbe();
    Adapter.toClassic(kit.system()).deadLetters().tell("something else", ActorRef.noSender());
    probe.expectNoMessage(Duration.ofMillis(300));
  }
}

package io.duro.runtime;

import static io.duro.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.duro.runtime.internal.CborSerializable;
import io.duro.runtime.placement.ObjectAddress;
import io.duro.runtime.placement.RegionMessageExtractor;
import io.duro.runtime.placement.RegionShardAllocationStrategy;
import io.duro.runtime.placement.ShardRegions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

/**
 * Duro's {@link RegionShardAllocationStrategy} (the one DuroRuntime registers) lets Pekko's
 * least-shard strategy choose among the nodes of a shard's region, and that strategy prefers the
 * members with the highest {@code pekko.cluster.app-version} ({@code
 * AbstractLeastShardAllocationStrategy.ShardSuitabilityOrdering}) and does not rebalance while two
 * versions run. This checks it with Duro's cluster settings: during a rolling update, new shards
 * go to the node of the newest version, never to the old one — within a region, and when the
 * region of a shard has no node (fallback to any node).
 */
class ShardAllocationTest {

  record Where(ActorRef<String> replyTo) implements CborSerializable {}

  static final EntityTypeKey<Where> KEY = EntityTypeKey.create(Where.class, "where");

  static Behavior<Where> entity() {
    return Behaviors.receive(
        (ctx, msg) -> {
          msg.replyTo().tell(ctx.getSystem().address().toString());
          return Behaviors.same();
        });
  }

  static ActorSystem<Void> node(String appVersion) {
    Config config =
        ConfigFactory.parseString(
                "pekko.cluster.app-version = \"" + appVersion + "\"\n"
                    + "pekko.cluster.roles = [\"region-local\"]\n"
                    + "pekko.remote.artery.canonical.port = 0\n"
                    + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
            .withFallback(ConfigFactory.parseResources("duro-runtime-defaults.conf"))
            .withFallback(ConfigFactory.parseString("duro.data-dir = unused"))
            .withFallback(ConfigFactory.load())
            .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "alloc", config);
    ClusterSharding.get(system)
        .init(
            Entity.of(KEY, ctx -> entity())
                .withMessageExtractor(new RegionMessageExtractor<>(100))
                .withAllocationStrategy(new RegionShardAllocationStrategy(20, 0.1)));
    return system;
  }

  @Test
  void newShardsGoToTheNodeOfTheNewestAppVersion() throws Exception {
    ActorSystem<Void> old = node("1");
    ActorSystem<Void> upgraded = node("2");
    try {
      Cluster.get(old).manager().tell(Join.create(Cluster.get(old).selfMember().address()));
      Cluster.get(upgraded).manager().tell(Join.create(Cluster.get(old).selfMember().address()));
      await(
          "the two nodes to form a cluster",
          () -> Cluster.get(upgraded).selfMember().status() == MemberStatus.up()
              && upCount(old) == 2,
          30_000);
      ShardRegions.await(old, KEY, 2, Duration.ofSeconds(30)); // both regions registered
      // Sent through the old node (where the coordinator runs, as the oldest member).
      ClusterSharding sharding = ClusterSharding.get(old);
      for (String region : new String[] {"local", "elsewhere"}) {
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < 30; i++) {
          hosts.add(
              sharding
                  .entityRefFor(KEY, new ObjectAddress("test", "object-" + i, null, region).entityId())
                  .<String>ask(Where::new, Duration.ofSeconds(10))
                  .toCompletableFuture()
                  .get(15, TimeUnit.SECONDS));
        }
        assertEquals(Set.of(upgraded.address().toString()), hosts, "region " + region);
      }
    } finally {
      upgraded.terminate();
      old.terminate();
      upgraded.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      old.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * A shard region whose node is gone (downed after a crash, but still in the coordinator's
   * state until its region terminates) is never asked to hand its shards off: such a hand-off can
   * never complete, and held the dead node's shards for the coordinator's 1-minute hand-off
   * timeout before they were served again (seen as 75 s failovers in bench/cluster.sh).
   */
  @Test
  void shardsOnANodeThatIsNoLongerUpAreNotRebalanced() throws Exception {
    ActorSystem<Void> system = node("1");
    try {
      Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
      await("the node to become Up", () -> upCount(system) == 1, 30_000);
      org.apache.pekko.actor.ActorSystem classic =
          org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system);
      RegionShardAllocationStrategy strategy = new RegionShardAllocationStrategy(20, 0.1);
      strategy.start(classic);
      org.apache.pekko.actor.ActorRef here = classic.deadLetters(); // a local region
      org.apache.pekko.actor.ActorRef gone =
          ((org.apache.pekko.actor.ExtendedActorSystem) classic)
              .provider()
              .resolveActorRef("pekko://alloc@127.0.0.1:9/system/sharding/where");
      scala.collection.immutable.Map<org.apache.pekko.actor.ActorRef,
              scala.collection.immutable.IndexedSeq<String>> current =
          scala.collection.immutable.HashMap$.MODULE$
              .<org.apache.pekko.actor.ActorRef, scala.collection.immutable.IndexedSeq<String>>
                  empty()
              .updated(here, shards("local-1"))
              .updated(gone, shards("local-2", "local-3"));
      scala.collection.immutable.Set<String> none = scala.collection.immutable.Set$.MODULE$.empty();
      Set<String> moved =
          new HashSet<>(
              scala.jdk.javaapi.CollectionConverters.asJava(
                  scala.jdk.javaapi.FutureConverters.asJava(strategy.rebalance(current, none))
                      .toCompletableFuture()
                      .get(10, TimeUnit.SECONDS)));
      assertEquals(Set.of(), moved, "shards asked to move off a node that is not Up");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static scala.collection.immutable.IndexedSeq<String> shards(String... ids) {
    return scala.jdk.javaapi.CollectionConverters.asScala(java.util.List.of(ids)).toIndexedSeq();
  }

  private static int upCount(ActorSystem<?> system) {
    int[] n = {0};
    Cluster.get(system).state().getMembers().forEach(
        m -> n[0] += m.status() == MemberStatus.up() ? 1 : 0);
    return n[0];
  }
}

package io.duro.runtime.placement;

import io.duro.runtime.ObjectBinding;
import io.duro.runtime.stubs.ObjectClient;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * What the shard coordinator of an entity type knows about the cluster's shard regions. A node is
 * an Up member a moment before its shard region has registered with the coordinator; shards
 * allocated in that moment cannot go to it.
 */
public final class ShardRegions {

  private ShardRegions() {}

  /**
   * The number of shard regions of an entity type, as the cluster's regions report them.
   *
   * @param system a node's actor system
   * @param key the entity type
   * @param timeout how long each region may take to answer
   * @return the number of regions that answered
   */
  public static CompletionStage<Integer> count(
      ActorSystem<?> system, EntityTypeKey<?> key, Duration timeout) {
    return AskPattern.<ClusterShardingQuery, ClusterShardingStats>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetClusterShardingStats(key, timeout, replyTo),
            timeout.plus(Duration.ofSeconds(2)),
            system.scheduler())
        .thenApplyAsync(stats -> stats.getRegions().size(), Runnable::run);
  }

  /**
   * Waits (blocking the calling thread, for tests and tools) until {@code count} shard regions of
   * a binding's objects are registered.
   *
   * @param system a node's actor system
   * @param binding the binding
   * @param count the regions expected
   * @param within how long to wait
   * @throws InterruptedException when interrupted
   * @throws TimeoutException when fewer regions were known at the end, with their number
   */
  public static void await(ActorSystem<?> system, ObjectBinding binding, int count, Duration within)
      throws InterruptedException, TimeoutException {
    await(system, ObjectClient.typeKey(binding.namespaceKey()), count, within);
  }

  /**
   * Waits (blocking the calling thread, for tests and tools) until {@code count} shard regions of
   * an entity type are registered.
   *
   * @param system a node's actor system
   * @param key the entity type
   * @param count the regions expected
   * @param within how long to wait
   * @throws InterruptedException when interrupted
   * @throws TimeoutException when fewer regions were known at the end, with their number
   */
  public static void await(ActorSystem<?> system, EntityTypeKey<?> key, int count, Duration within)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + within.toNanos();
    int known = 0;
    while (System.nanoTime() < deadline) {
      try {
        known = count(system, key, Duration.ofSeconds(3)).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        known = 0; // a region did not answer in time: ask again
      }
      if (known >= count) {
        return;
      }
      Thread.sleep(100);
    }
    throw new TimeoutException(
        "the coordinator of " + key.name() + " knows " + known + " shard regions, not " + count);
  }
}

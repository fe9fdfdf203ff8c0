package io.duro.runtime.placement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * Puts the shards of a region ({@code <region>-<n>}, see {@link Placement#shardId}) on the nodes
 * of that region (cluster role {@code region-<name>}), and anywhere when none of them is up.
 *
 * <p>Among the candidates it is Pekko's {@link LeastShardAllocationStrategy} that chooses, so its
 * order is kept: nodes not leaving, then the highest {@code app-version} (rolling updates), then
 * the fewest shards. Rebalancing first brings shards that run outside their region home once a
 * node of the region is up again, at most {@code rebalance-absolute-limit} (and the relative
 * limit) per round; with none to bring home, Pekko's strategy balances each region on its own.
 * Like Pekko's, it does nothing while a rebalance is in progress, while members join or leave, or
 * while two app-versions run.
 */
public final class RegionShardAllocationStrategy
    implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

  private static final Future<scala.collection.immutable.Set<String>> NONE =
      Future.successful(CollectionConverters.asScala(Set.<String>of()).toSet());

  private final ShardCoordinator.ShardAllocationStrategy least;
  private final int absoluteLimit;
  private final double relativeLimit;
  private volatile Cluster cluster;

  /**
   * Creates the strategy with Pekko's rebalance limits.
   *
   * @param absoluteLimit shards moved per rebalance round at most
   * @param relativeLimit fraction of all shards moved per round at most
   */
  public RegionShardAllocationStrategy(int absoluteLimit, double relativeLimit) {
    this.least =
        ShardCoordinator.ShardAllocationStrategy$.MODULE$.leastShardAllocationStrategy(
            absoluteLimit, relativeLimit);
    this.absoluteLimit = absoluteLimit;
    this.relativeLimit = relativeLimit;
  }

  @Override
  public void start(ActorSystem system) {
    if (least instanceof ShardCoordinator.ActorSystemDependentAllocationStrategy dependent) {
      dependent.start(system);
    }
    cluster = Cluster.get(system);
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester,
      String shardId,
      scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current) {
    String region = Placement.regionOfShard(shardId);
    if (region != null) {
      scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> home = inRegion(current, region);
      if (!home.isEmpty()) {
        return least.allocateShard(requester, shardId, home);
      }
    }
    return least.allocateShard(requester, shardId, current);
  }

  @Override
  public Future<scala.collection.immutable.Set<String>> rebalance(
      scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current,
      scala.collection.immutable.Set<String> inProgress) {
    if (!inProgress.isEmpty() || !isAGoodTimeToRebalance(current)) {
      return NONE;
    }
    Map<ActorRef, List<String>> all = new LinkedHashMap<>();
    current.foreach(
        entry -> all.put(entry._1(), CollectionConverters.asJava(entry._2())));
    int total = all.values().stream().mapToInt(List::size).sum();
    int limit = Math.max(1, Math.min(absoluteLimit, (int) (relativeLimit * total)));
    Map<ActorRef, String> regionOf = new LinkedHashMap<>();
    all.keySet().forEach(ref -> regionOf.put(ref, upRegion(ref)));
    if (regionOf.containsValue(null)) {
      // A shard region whose node is no longer an Up member (downed after a crash, or leaving):
      // the coordinator hands its shards over when the region terminates. Asking it to hand
      // them off now can never complete, and would hold those shards for the coordinator's
      // hand-off timeout (1 min) before they are served again.
      return NONE;
    }
    Set<String> upRegions = new LinkedHashSet<>(regionOf.values());
    List<String> homeward = new ArrayList<>();
    all.forEach(
        (ref, shards) -> {
          for (String shard : shards) {
            String r = Placement.regionOfShard(shard);
            if (r != null && upRegions.contains(r) && !r.equals(regionOf.get(ref))) {
              homeward.add(shard);
            }
          }
        });
    if (!homeward.isEmpty()) {
      return Future.successful(
          CollectionConverters.asScala(homeward.subList(0, Math.min(limit, homeward.size())))
              .toSet());
    }
    List<CompletableFuture<scala.collection.immutable.Set<String>>> perRegion = new ArrayList<>();
    for (String region : upRegions) {
      HashMap<ActorRef, IndexedSeq<String>> sub = scala.collection.immutable.HashMap$.MODULE$.empty();
      for (Map.Entry<ActorRef, List<String>> e : all.entrySet()) {
        if (region.equals(regionOf.get(e.getKey()))) {
          List<String> own =
              e.getValue().stream().filter(s -> region.equals(Placement.regionOfShard(s))).toList();
          sub = sub.updated(e.getKey(), CollectionConverters.asScala(own).toIndexedSeq());
        }
      }
      if (sub.size() > 1) {
        perRegion.add(
            FutureConverters.asJava(least.rebalance(sub, inProgress)).toCompletableFuture());
      }
    }
    if (perRegion.isEmpty()) {
      return NONE;
    }
    CompletableFuture<scala.collection.immutable.Set<String>> joined =
        CompletableFuture.allOf(perRegion.toArray(CompletableFuture[]::new))
            .thenApply(
                done -> {
                  List<String> moves = new ArrayList<>();
                  perRegion.forEach(f -> moves.addAll(CollectionConverters.asJava(f.join())));
                  return CollectionConverters.asScala(
                          moves.subList(0, Math.min(limit, moves.size())))
                      .toSet();
                });
    return FutureConverters.asScala(joined);
  }

  /**
   * Pekko's rule for when to rebalance, on its public cluster API: the nodes of the shard regions
   * all run the same app-version (no rolling update in progress), no member is unreachable (a
   * rebalance needs every region's acknowledgement) and none is still joining.
   */
  private boolean isAGoodTimeToRebalance(
      scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current) {
    Cluster c = cluster;
    if (c == null || current.isEmpty()) {
      return false;
    }
    Set<Address> regionNodes = new LinkedHashSet<>();
    current.keysIterator().foreach(ref -> regionNodes.add(nodeOf(c, ref)));
    Object version = null;
    for (Member m : c.state().getMembers()) {
      MemberStatus s = m.status();
      if (s == MemberStatus.joining() || s == MemberStatus.weaklyUp()) {
        return false;
      }
      if (regionNodes.contains(m.address())) {
        if (version != null && !version.equals(m.appVersion())) {
          return false;
        }
        version = m.appVersion();
      }
    }
    return version != null && c.state().getUnreachable().isEmpty();
  }

  private static Address nodeOf(Cluster c, ActorRef shardRegion) {
    Address address = shardRegion.path().address();
    return address.hasLocalScope() ? c.selfAddress() : address;
  }

  /** The shard regions of current whose node is an up member of {@code region}. */
  private scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> inRegion(
      scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current, String region) {
    HashMap<ActorRef, IndexedSeq<String>> home = scala.collection.immutable.HashMap$.MODULE$.empty();
    scala.collection.Iterator<scala.Tuple2<ActorRef, IndexedSeq<String>>> it = current.iterator();
    while (it.hasNext()) {
      scala.Tuple2<ActorRef, IndexedSeq<String>> e = it.next();
      if (region.equals(upRegion(e._1()))) {
        home = home.updated(e._1(), e._2());
      }
    }
    return home;
  }

  /** The region of the node of a shard region, or null when it is not an up member. */
  private String upRegion(ActorRef shardRegion) {
    Cluster c = cluster;
    if (c == null) {
      return null;
    }
    Address address = nodeOf(c, shardRegion);
    for (Member m : c.state().getMembers()) {
      if (m.address().equals(address)) {
        MemberStatus s = m.status();
        if (s != MemberStatus.up() && s != MemberStatus.weaklyUp()) {
          return null;
        }
        for (String role : m.getRoles()) {
          if (role.startsWith(Placement.ROLE_PREFIX)) {
            return role.substring(Placement.ROLE_PREFIX.length());
          }
        }
        return null;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "RegionShardAllocationStrategy(" + absoluteLimit + ", " + relativeLimit + ")";
  }
}

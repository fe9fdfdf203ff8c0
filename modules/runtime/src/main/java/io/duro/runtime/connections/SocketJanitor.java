package io.duro.runtime.connections;

import io.duro.runtime.placement.ObjectAddress;
import io.duro.runtime.stubs.ObjectClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps a node's socket tables true to the cluster:
 *
 * <ul>
 *   <li>when a node leaves or is downed, the sockets its gateway held are gone: each object on
 *       this node that had one gets {@code webSocketClose} with 1006;
 *   <li>when an object's shard is no longer on this node (the object moved), the table it left
 *       here is dropped and its sockets are closed with 1012, so clients reconnect to the object
 *       where it lives now.
 * </ul>
 */
public final class SocketJanitor {

  /** What the janitor handles. */
  public sealed interface Command {}

  private record NodeRemoved(Address address) implements Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private record ShardsHere(String namespaceKey, Set<String> shards) implements Command {}

  private SocketJanitor() {}

  /**
   * The janitor of one node.
   *
   * @param tables the node's socket tables
   * @param client delivers close events to objects
   * @param numberOfShards sharding's number of shards (to find an object's shard)
   * @param interval how often tables are checked against the shards on this node
   * @return the behavior
   */
  public static Behavior<Command> create(
      Map<String, SocketTable> tables, ObjectClient client, int numberOfShards, Duration interval) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(ctx.getSystem());
          cluster
              .subscriptions()
              .tell(
                  Subscribe.create(
                      ctx.messageAdapter(
                          ClusterEvent.MemberRemoved.class,
                          removed -> new NodeRemoved(removed.member().address())),
                      ClusterEvent.MemberRemoved.class));
          ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Sweep.INSTANCE, interval);
                return Behaviors.receive(Command.class)
                    .onMessage(
                        NodeRemoved.class,
                        m -> {
                          closeSocketsOf(tables, client, m.address());
                          return Behaviors.same();
                        })
                    .onMessageEquals(
                        Sweep.INSTANCE,
                        () -> {
                          if (tables.isEmpty() || !severalMembers(cluster)) {
                            return Behaviors.same(); // on one node, nothing can move
                          }
                          Set<String> namespaces = new HashSet<>();
                          tables.keySet().forEach(k -> namespaces.add(namespaceOf(k)));
                          for (String ns : namespaces) {
                            ctx.ask(
                                ShardRegion.CurrentShardRegionState.class,
                                sharding.shardState(),
                                Duration.ofSeconds(5),
                                replyTo ->
                                    new GetShardRegionState(
                                        ObjectClient.typeKey(ns),
                                        replyTo),
                                (state, error) -> {
                                  if (state == null) {
                                    return null;
                                  }
                                  Set<String> here = new HashSet<>();
                                  state.getShards().forEach(s -> here.add(s.shardId()));
                                  return new ShardsHere(ns, here);
                                });
                          }
                          return Behaviors.same();
                        })
                    .onMessage(
                        ShardsHere.class,
                        m -> {
                          dropMoved(tables, m.namespaceKey(), m.shards(), numberOfShards);
                          return Behaviors.same();
                        })
                    .build();
              });
        });
  }

  private static boolean severalMembers(Cluster cluster) {
    int n = 0;
    for (var member : cluster.state().getMembers()) {
      if (++n > 1) {
        return true;
      }
    }
    return false;
  }

  private static String namespaceOf(String tableKey) {
    return tableKey.substring(0, tableKey.lastIndexOf('|'));
  }

  private static void closeSocketsOf(
      Map<String, SocketTable> tables, ObjectClient client, Address gone) {
    tables.forEach(
        (key, table) -> {
          String ns = namespaceOf(key);
          String entityId = key.substring(key.lastIndexOf('|') + 1);
          List<SocketTable.Entry> lost =
              table.select(e -> e.hub.path().address().equals(gone));
          for (SocketTable.Entry e : lost) {
            client.sendEvent(
                ns,
                entityId,
                e.id,
                Connections.EventKind.CLOSE.ordinal(),
                null,
                null,
                1006,
                "the node holding the connection left the cluster",
                false);
          }
        });
  }

  private static void dropMoved(
      Map<String, SocketTable> tables, String ns, Set<String> shardsHere, int numberOfShards) {
    tables.forEach(
        (key, table) -> {
          if (!namespaceOf(key).equals(ns)) {
            return;
          }
          String entityId = key.substring(key.lastIndexOf('|') + 1);
          String shard = ObjectAddress.shardId(entityId, numberOfShards);
          if (!shardsHere.contains(shard) && tables.remove(key, table)) {
            for (SocketTable.Entry e : table.select(x -> true)) {
              e.hub.tell(new Connections.Close(e.id, 1012, "the object moved; reconnect"));
            }
          }
        });
  }
}

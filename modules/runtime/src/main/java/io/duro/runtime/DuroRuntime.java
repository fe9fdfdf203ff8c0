package io.duro.runtime;

import com.typesafe.config.Config;
import io.duro.api.Env;
import io.duro.api.Namespace;
import io.duro.runtime.alarms.AlarmIndex;
import io.duro.runtime.alarms.AlarmScheduler;
import io.duro.runtime.connections.Connections;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.migrations.MigrationSettings;
import io.duro.runtime.migrations.MigrationStatus;
import io.duro.runtime.migrations.MigrationStore;
import io.duro.runtime.migrations.NamespaceDeletion;
import io.duro.runtime.object.KvBackend;
import io.duro.runtime.object.ObjectEntity;
import io.duro.runtime.object.ObjectSetup;
import io.duro.runtime.object.ObjectTurns;
import io.duro.runtime.placement.ObjectAddress;
import io.duro.runtime.placement.Placement;
import io.duro.runtime.placement.RegionMessageExtractor;
import io.duro.runtime.placement.RegionShardAllocationStrategy;
import io.duro.runtime.stubs.EnvImpl;
import io.duro.runtime.stubs.NamespaceIds;
import io.duro.runtime.stubs.NamespaceImpl;
import io.duro.runtime.stubs.ObjectClient;
import io.duro.runtime.stubs.RetryPolicy;
import io.duro.runtime.stubs.UndeliveredRequests;
import io.duro.storage.ValueCodec;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The Duro runtime of one node: registers every bound class with Cluster Sharding (each object is
 * a sharded entity, so the cluster keeps one instance per ID) and hands out the namespaces through
 * which the gateway and objects reach objects.
 *
 * <pre>{@code
 * ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "duro", config);
 * DuroRuntime runtime = DuroRuntime.start(system, Application.of(ObjectBinding.of("counter",
 *     Counter.class))).toCompletableFuture().join();
 * runtime.namespace("counter").getByName("a").fetch(Request.post("/increment", ""));
 * }</pre>
 */
public final class DuroRuntime {

  /**
   * Where the configuration names the journal's database (URL, user, password, driver), which
   * also holds Duro's own tables (alarm index, placement directory, migrations).
   */
  public static final String JOURNAL_DATABASE = "pekko-persistence-jdbc.shared-databases.duro.db";

  private final ActorSystem<?> system;
  private final Application application;
  private final RuntimeSettings settings;
  private final ObjectClient client;
  private final Connections connections;
  private final Map<String, Bound> bound = new LinkedHashMap<>();
  private final Env env;
  private final AlarmIndex alarmIndex;
  private final MigrationStore migrationStore;
  private final ClusterSharding sharding;
  private final java.time.Clock clock;
  private final Placement placement;

  private record Bound(ObjectBinding binding, NamespaceIds ids, EntityTypeKey<ObjectCommand> key) {}

  private DuroRuntime(ActorSystem<?> system, Application application, java.time.Clock clock) {
    this.system = system;
    this.clock = clock;
    this.application = application;
    this.settings = RuntimeSettings.from(system.settings().config());
    this.sharding = ClusterSharding.get(system);
    this.placement = Placement.open(system.settings().config());
    system.getWhenTerminated().thenRun(placement::close);
    org.apache.pekko.cluster.Cluster classicCluster =
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
    placement.memberRegions(() -> memberRegions(classicCluster));
    this.client =
        new ObjectClient(
            sharding,
            settings.requestTimeout().plus(java.time.Duration.ofSeconds(5)),
            RetryPolicy.from(system.settings().config()),
            placement);
    ValueCodec codec = ValueCodec.create();
    this.connections = new Connections(system, client, 1024);
    this.alarmIndex =
        AlarmIndex.open(system.settings().config(), settings.alarms().poolSize());
    system.getWhenTerminated().thenRun(alarmIndex::close);
    this.migrationStore = MigrationStore.of(system.settings().config());
    if (!application.migrations().isEmpty()) {
      NamespaceDeletion deletion =
          NamespaceDeletion.start(
              migrationStore,
              application.name(),
              MigrationSettings.from(system.settings().config()));
      system.getWhenTerminated().thenRun(deletion::stop);
    }
    // Idle passivation: reference.conf points sharding's idle timeout at duro.runtime.idle-timeout.
    ClusterShardingSettings shardingSettings = ClusterShardingSettings.create(system);
    Config shardingConfig = system.settings().config().getConfig("pekko.cluster.sharding");
    int shardsPerRegion = shardingConfig.getInt("number-of-shards");
    // Pekko reads 0 as "the deprecated algorithm"; its limit is then max-simultaneous-rebalance.
    int rebalanceLimit =
        shardingConfig.getInt("least-shard-allocation-strategy.rebalance-absolute-limit") > 0
            ? shardingConfig.getInt("least-shard-allocation-strategy.rebalance-absolute-limit")
            : shardingConfig.getInt("least-shard-allocation-strategy.max-simultaneous-rebalance");
    for (ObjectBinding b : application.bindings()) {
      EntityTypeKey<ObjectCommand> key = ObjectClient.typeKey(b.namespaceKey());
      bound.put(b.name(), new Bound(b, new NamespaceIds(b.namespaceKey()), key));
    }
    for (Bound b : bound.values()) {
      ObjectSetup setup =
          new ObjectSetup(
              b.binding().namespaceKey(),
              b.binding().objectClass(),
              settings,
              codec,
              this::envFor,
              alarmIndex,
              connections,
              clock,
              KvBackend.factory(settings.snapshotEvery(), settings.storageLimits(), codec));
      sharding.init(
          Entity.of(b.key(), ctx -> ObjectEntity.create(setup, ctx.getEntityId(), ctx.getShard()))
              .withStopMessage(ObjectCommand.Passivate.INSTANCE)
              .withMessageExtractor(new RegionMessageExtractor<>(shardsPerRegion))
              .withAllocationStrategy(
                  new RegionShardAllocationStrategy(
                      rebalanceLimit,
                      shardingConfig.getDouble(
                          "least-shard-allocation-strategy.rebalance-relative-limit")))
              .withSettings(shardingSettings));
    }
    this.env = envFor(null);
    UndeliveredRequests.start(system);
    Map<String, EntityTypeKey<ObjectCommand>> byNamespace = new LinkedHashMap<>();
    bound.values().forEach(b -> byNamespace.put(b.binding().namespaceKey(), b.key()));
    ShardedDaemonProcess.get(system)
        .init(
            AlarmScheduler.Command.class,
            "duro-alarm-scheduler",
            1,
            i -> AlarmScheduler.create(
                    alarmIndex, settings.alarms(), byNamespace::get, sharding, clock, client));
  }

  /** The regions of the cluster's members, from their {@code region-<name>} roles. */
  private static java.util.Set<String> memberRegions(org.apache.pekko.cluster.Cluster cluster) {
    java.util.Set<String> regions = new java.util.TreeSet<>();
    for (org.apache.pekko.cluster.Member m : cluster.state().getMembers()) {
      for (String role : m.getRoles()) {
        if (role.startsWith(Placement.ROLE_PREFIX)) {
          regions.add(role.substring(Placement.ROLE_PREFIX.length()));
        }
      }
    }
    return regions;
  }

  /**
   * Starts the runtime on an actor system: creates the journal schema when missing, applies the
   * application's pending migrations (see {@link MigrationStore}), joins the cluster (a node
   * without configured seed nodes forms a cluster of its own) and registers every binding with
   * sharding under the namespace key its migrations recorded.
   *
   * @param system the node's actor system (configured with Duro's {@code reference.conf})
   * @param application what to serve
   * @return completes when the node serves requests; fails if the journal cannot be opened, or
   *     with a {@link MigrationException} if the migrations do not fit the database
   */
  public static CompletionStage<DuroRuntime> start(ActorSystem<?> system, Application application) {
    return start(system, application, java.time.Clock.systemUTC());
  }

  /**
   * Starts the runtime with a clock of the caller's: alarms fire when this clock reaches their
   * time, and objects read it through {@code DurableObjectState.clock()}. The testkit passes a
   * clock that tests move forward.
   *
   * @param system the node's actor system
   * @param application what to serve
   * @param clock the clock
   * @return completes when the node serves requests
   */
  public static CompletionStage<DuroRuntime> start(
      ActorSystem<?> system, Application application, java.time.Clock clock) {
    ClusterSettings cluster = ClusterSettings.from(system.settings().config());
    return RuntimeStartup.prepare(system, application, cluster)
        .thenCompose(
            migrated -> {
              RuntimeStartup.join(system, cluster);
              return RuntimeStartup.whenUp(
                  system, cluster, new DuroRuntime(system, migrated, clock));
            });
  }

  private Env envFor(ObjectTurns caller) {
    return new EnvImpl(bound, name -> namespace(name, caller), application.vars());
  }

  private Namespace namespace(String name, ObjectTurns caller) {
    Bound b = bound.get(name);
    return new NamespaceImpl(b.ids(), b.key(), client, caller, placement);
  }

  /**
   * The namespace bound under {@code binding}, for callers outside objects (the gateway).
   *
   * @param binding the binding name
   * @return the namespace
   * @throws io.duro.api.UnknownBindingException when nothing is bound under that name
   */
  public Namespace namespace(String binding) {
    return env.namespace(binding);
  }

  /**
   * Pending alarms due at or before a time, earliest first, for operators.
   *
   * @param dueBefore inclusive upper bound
   * @param limit at most this many
   * @return the alarms with the binding (or null when the class is no longer bound) and class
   */
  public CompletionStage<List<PendingAlarm>> pendingAlarms(java.time.Instant dueBefore, int limit) {
    return alarmIndex
        .due(dueBefore.toEpochMilli(), null, limit)
        .thenApply(
            entries ->
                entries.stream()
                    .map(
                        e -> {
                          ObjectBinding b =
                              bound.values().stream()
                                  .map(Bound::binding)
                                  .filter(x -> x.namespaceKey().equals(e.namespace()))
                                  .findFirst()
                                  .orElse(null);
                          return new PendingAlarm(
                              b == null ? null : b.name(),
                              b == null ? e.namespace() : b.objectClass().getName(),
                              e.objectId(),
                              e.dueAt(),
                              e.retryCount());
                        })
                    .toList());
  }

  /**
   * Wakes every object whose alarm (or alarm retry) is due by the runtime's clock, without waiting
   * for the scheduler's next poll; each fires its alarm on its own turn. Tests that move the clock
   * call it.
   *
   * @return completes, with how many objects were woken, once they were told
   */
  public CompletionStage<Integer> wakeDueAlarms() {
    Map<String, EntityTypeKey<ObjectCommand>> keys = new LinkedHashMap<>();
    bound.values().forEach(b -> keys.put(b.binding().namespaceKey(), b.key()));
    return alarmIndex
        .due(clock.millis(), null, settings.alarms().pageSize())
        .thenApply(
            entries -> {
              int woken = 0;
              List<CompletableFuture<ObjectAddress>> told = new java.util.ArrayList<>();
              for (AlarmIndex.Entry e : entries) {
                EntityTypeKey<ObjectCommand> key = keys.get(e.namespace());
                if (key != null) {
                  told.add(
                      client
                          .place(new ObjectAddress(e.namespace(), e.objectId(), null, null), null)
                          .toCompletableFuture()
                          .whenComplete(
                              (placed, error) -> {
                                if (placed != null) {
                                  sharding
                                      .entityRefFor(key, placed.entityId())
                                      .tell(ObjectCommand.WakeUp.INSTANCE);
                                }
                              }));
                }
              }
              return CompletableFuture.allOf(told.toArray(CompletableFuture[]::new))
                  .thenApply(done -> told.size());
            })
        .thenCompose(woken -> woken);
  }

  /**
   * Passivates an object now, as if it had been idle (its WebSockets stay open, as with
   * hibernation): the next event for it runs on a new instance, rebuilt from its storage. Tests
   * simulate hibernation with it. An object not in memory is started first.
   *
   * @param binding the binding name
   * @param objectId the object's ID (64 hex digits)
   * @return completes once every later event is sure to reach a new instance
   * @throws io.duro.api.UnknownBindingException when nothing is bound under that name
   */
  public CompletionStage<Void> passivate(String binding, String objectId) {
    Bound b = bound.get(binding);
    if (b == null) {
      env.namespace(binding); // throws the API's exception naming the binding
    }
    return client
        .place(new ObjectAddress(b.binding().namespaceKey(), objectId, null, null), null)
        .thenCompose(
            placed ->
                sharding
                    .entityRefFor(b.key(), placed.entityId())
                    .<Done>ask(ObjectCommand.PassivateNow::new, settings.requestTimeout()))
        .thenApply(done -> (Void) null);
  }

  /**
   * Where objects live: this node's region and the placement directory.
   *
   * @return the placement
   */
  public Placement placement() {
    return placement;
  }

  /**
   * The clock alarms are measured with.
   *
   * @return the clock
   */
  public java.time.Clock clock() {
    return clock;
  }

  /**
   * A pending alarm as operators see it.
   *
   * @param binding the binding name, or null when the class is not bound on this node
   * @param className the object class (or namespace key when unbound)
   * @param objectId the object's ID
   * @param dueAt when the object will be woken (its alarm time, or the next retry)
   * @param retries failed runs so far
   */
  public record PendingAlarm(
      String binding, String className, String objectId, java.time.Instant dueAt, int retries) {}

  /**
   * The migrations of this node's application as the database records them, for operators.
   *
   * @return the status (empty lists for an application without migrations)
   */
  public CompletionStage<MigrationStatus> migrationStatus() {
    if (application.migrations().isEmpty()) {
      return CompletableFuture.completedFuture(
          new MigrationStatus(application.name(), List.of(), List.of()));
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return migrationStore.status(application.name());
          } catch (SQLException e) {
            throw new IllegalStateException(
                "The migration tables cannot be read: " + e.getMessage(), e);
          }
        },
        task -> {
          Thread t = new Thread(task, "duro-migration-status");
          t.setDaemon(true);
          t.start();
        });
  }

  /**
   * The binding with this name.
   *
   * @param name the binding name
   * @return the binding, or empty
   */
  public Optional<ObjectBinding> binding(String name) {
    Bound b = bound.get(name);
    return b == null ? Optional.empty() : Optional.of(b.binding());
  }

  /**
   * The env of the application, for callers outside objects.
   *
   * @return the env
   */
  public Env env() {
    return env;
  }

  /**
   * What this node serves.
   *
   * @return the application
   */
  public Application application() {
    return application;
  }

  /**
   * The runtime settings.
   *
   * @return the settings
   */
  public RuntimeSettings settings() {
    return settings;
  }

  /**
   * The node's actor system.
   *
   * @return the system
   */
  public ActorSystem<?> system() {
    return system;
  }

  /**
   * The WebSockets and event streams of this node.
   *
   * @return the connections
   */
  public Connections connections() {
    return connections;
  }
}

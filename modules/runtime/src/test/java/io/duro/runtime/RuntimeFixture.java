package io.duro.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.duro.api.Stub;
import io.duro.runtime.stubs.ObjectClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * A one-node runtime on a real H2 file journal (or the controllable journal) for tests, on real
 * time or on a {@link TestScheduler} and its clock, which the test moves ({@link #advance}).
 */
final class RuntimeFixture implements AutoCloseable {

  static final String CONTROLLABLE_JOURNAL =
      """
      pekko.persistence.journal.plugin = "duro-test-journal"
      duro-test-journal {
        class = "io.duro.runtime.ControllableJournal"
        plugin-dispatcher = "pekko.actor.default-dispatcher"
      }
      pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
      """;

  private static final String TEST_SCHEDULER =
      "pekko.scheduler.implementation = \"" + TestScheduler.class.getName() + "\"\n";

  final ActorSystem<Void> system;
  final DuroRuntime runtime;

  private RuntimeFixture(ActorSystem<Void> system, DuroRuntime runtime) {
    this.system = system;
    this.runtime = runtime;
  }

  /**
   * Polls a condition until it holds: what a test waits for that happens "eventually".
   *
   * @param what named in the failure
   * @param condition what must become true
   * @param millis how long it may take
   */
  static void await(String what, BooleanSupplier condition, long millis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20); // the poll interval of an awaited condition
    }
  }

  static Config config(Path dataDir, String overrides) {
    Config overlay =
        ConfigFactory.parseString(overrides)
            .withFallback(
                ConfigFactory.parseString(
                    "duro.data-dir = \""
                        + dataDir.toString().replace("\\", "/")
                        + "\"\n"
                        + "pekko.persistence.snapshot-store.local.dir = \""
                        + dataDir.resolve("snapshots").toString().replace("\\", "/")
                        + "\"\n"));
    return ConfigFactory.load(
        overlay.withFallback(ConfigFactory.parseResources("duro-runtime-defaults.conf")));
  }

  static RuntimeFixture start(Path dataDir, String overrides, Application app) throws Exception {
    return start(dataDir, overrides, app, false);
  }

  /** Starts a node whose timers and clock stand still until the test {@link #advance}s them. */
  static RuntimeFixture startOnTestClock(Path dataDir, String overrides, Application app)
      throws Exception {
    return start(dataDir, TEST_SCHEDULER + overrides, app, true);
  }

  private static RuntimeFixture start(
      Path dataDir, String overrides, Application app, boolean testClock) throws Exception {
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "duro-test", config(dataDir, overrides));
    try {
      Clock clock = testClock ? testScheduler(system).clock() : Clock.systemUTC();
      DuroRuntime runtime =
          DuroRuntime.start(system, app, clock).toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new RuntimeFixture(system, runtime);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  private static TestScheduler testScheduler(ActorSystem<?> system) {
    return (TestScheduler) Adapter.toClassic(system).scheduler();
  }

  /**
   * Moves the test clock and the node's timers forward (a node started on the test clock).
   *
   * @param by how far
   */
  void advance(Duration by) {
    testScheduler(system).advance(by);
  }

  /**
   * Waits until an object's entity no longer runs in this node's shard region (passivated, e.g.
   * after its idle timeout).
   *
   * @param binding the object's binding
   * @param stub the object
   */
  void awaitPassivated(ObjectBinding binding, Stub stub) throws Exception {
    await(stub.id() + " to be passivated", () -> !inMemory(binding, stub), 10_000);
  }

  private boolean inMemory(ObjectBinding binding, Stub stub) {
    try {
      CurrentShardRegionState state =
          AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
                  ClusterSharding.get(system).shardState(),
                  replyTo ->
                      new GetShardRegionState(
                          ObjectClient.typeKey(binding.namespaceKey()), replyTo),
                  Duration.ofSeconds(10),
                  system.scheduler())
              .toCompletableFuture()
              .get(20, TimeUnit.SECONDS);
      String hex = stub.id().toString();
      return state.getShards().stream()
          .anyMatch(s -> s.getEntityIds().stream().anyMatch(e -> e.startsWith(hex)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

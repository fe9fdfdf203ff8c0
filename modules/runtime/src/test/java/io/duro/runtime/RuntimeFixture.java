package io.duro.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** A one-node runtime on a real H2 file journal (or the controllable journal) for tests. */
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

  final ActorSystem<Void> system;
  final DuroRuntime runtime;

  private RuntimeFixture(ActorSystem<Void> system, DuroRuntime runtime) {
    this.system = system;
    this.runtime = runtime;
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
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "duro-test", config(dataDir, overrides));
    try {
      DuroRuntime runtime =
          DuroRuntime.start(system, app).toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new RuntimeFixture(system, runtime);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

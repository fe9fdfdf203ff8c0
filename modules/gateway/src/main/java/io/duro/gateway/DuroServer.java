package io.duro.gateway;

import com.typesafe.config.Config;
import io.duro.runtime.Application;
import io.duro.runtime.DuroRuntime;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One running Duro node: an actor system, the runtime and the HTTP gateway. Used by the node's
 * main class, by the testkit and by tests that need a real node in the JVM.
 *
 * <pre>{@code
 * try (DuroServer server = DuroServer.start(config, application).toCompletableFuture().join()) {
 *   int port = server.port();
 * }
 * }</pre>
 */
public final class DuroServer implements AutoCloseable {

  private final ActorSystem<Void> system;
  private final DuroRuntime runtime;
  private final Gateway gateway;

  private DuroServer(ActorSystem<Void> system, DuroRuntime runtime, Gateway gateway) {
    this.system = system;
    this.runtime = runtime;
    this.gateway = gateway;
  }

  /**
   * Starts a node.
   *
   * @param config the complete, resolved configuration (Duro's reference.conf included)
   * @param application what to serve
   * @return completes when the gateway accepts requests; fails (and the actor system is
   *     terminated) if the journal cannot be opened or the port cannot be bound
   */
  public static CompletionStage<DuroServer> start(Config config, Application application) {
    GatewaySettings gatewaySettings = GatewaySettings.from(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "duro", config);
    return DuroRuntime.start(system, application)
        .thenCompose(
            runtime ->
                Gateway.start(runtime, gatewaySettings)
                    .thenApply(gateway -> new DuroServer(system, runtime, gateway)))
        .whenComplete(
            (server, error) -> {
              if (error != null) {
                system.terminate();
              }
            });
  }

  /**
   * The gateway's port.
   *
   * @return the bound port
   */
  public int port() {
    return gateway.port();
  }

  /**
   * The runtime.
   *
   * @return the runtime
   */
  public DuroRuntime runtime() {
    return runtime;
  }

  /**
   * The actor system.
   *
   * @return the system
   */
  public ActorSystem<Void> system() {
    return system;
  }

  /**
   * Completes when the node has stopped (after {@link #close()} or a fatal failure).
   *
   * @return the completion
   */
  public CompletionStage<?> whenTerminated() {
    return system.getWhenTerminated();
  }

  /** Stops the gateway and the actor system, waiting up to 30 s. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("The node did not stop within 30 s", e);
    }
  }

  /** Default time to wait for a node to start in tests and tools. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
}

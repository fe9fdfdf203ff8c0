package io.duro.server;

import com.typesafe.config.Config;
import io.duro.api.Worker;
import io.duro.gateway.Gateway;
import io.duro.gateway.GatewaySettings;
import io.duro.runtime.Application;
import io.duro.runtime.ClusterJoinException;
import io.duro.runtime.ClusterSettings;
import io.duro.runtime.DuroRuntime;
import io.duro.runtime.migrations.MigrationException;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger log = LoggerFactory.getLogger(DuroServer.class);

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
    return start(config, application, java.time.Clock.systemUTC());
  }

  /**
   * Starts a node whose alarms follow {@code clock} (the testkit's clock that tests move).
   *
   * @param config the complete, resolved configuration
   * @param application what to serve
   * @param clock the runtime's clock
   * @return completes when the gateway accepts requests
   */
  public static CompletionStage<DuroServer> start(
      Config config, Application application, java.time.Clock clock) {
    GatewaySettings gatewaySettings = GatewaySettings.from(config);
    boolean management = config.getBoolean("duro.management.enabled");
    ClusterSettings cluster = ClusterSettings.from(config);
    KubernetesSupport kubernetes = null;
    if (cluster.bootstrap()) {
      if (!management) {
        throw new StartFailure(
            "duro.cluster.discovery = kubernetes needs Pekko Management (its endpoint is the"
                + " contact point of Cluster Bootstrap): set duro.management.enabled = on",
            false,
            null);
      }
      kubernetes = KubernetesSupport.prepare(config);
      config = kubernetes.config();
    }
    KubernetesSupport k8s = kubernetes;
    long began = System.nanoTime();
    long[] marks = new long[3]; // runtime ready, gateway bound, management bound
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "duro", config);
    // Cluster Bootstrap's contact point is the management endpoint: it starts first, and the
    // node joins what bootstrap finds instead of joining itself.
    CompletionStage<Void> beforeRuntime =
        k8s == null
            ? CompletableFuture.completedFuture(null)
            : startManagement(system, management).thenRun(() -> k8s.start(system));
    return beforeRuntime
        .thenCompose(ready -> DuroRuntime.start(system, application, clock))
        .exceptionally(
            error -> {
              Throwable cause = unwrap(error);
              if (cause instanceof StartFailure failure) {
                throw failure;
              }
              if (cause instanceof ClusterJoinException || cause instanceof MigrationException) {
                throw new StartFailure(cause.getMessage(), false, cause);
              }
              throw new StartFailure(
                  "the journal cannot be opened: " + rootMessage(error), true, error);
            })
        .thenCompose(
            runtime -> {
              marks[0] = System.nanoTime();
              return Gateway.start(runtime, gatewaySettings, constructWorker(application))
                  .exceptionally(
                      error -> {
                        throw new StartFailure(
                            "the gateway cannot listen on "
                                + gatewaySettings.host()
                                + ":"
                                + gatewaySettings.port()
                                + ": "
                                + rootMessage(error),
                            false,
                            error);
                      })
                  .thenCompose(
                      gateway -> {
                        marks[1] = System.nanoTime();
                        return (k8s == null
                                ? startManagement(system, management)
                                : CompletableFuture.<Void>completedFuture(null))
                            .thenApply(
                                done -> {
                                  marks[2] = System.nanoTime();
                                  logStarted(began, marks);
                                  return new DuroServer(system, runtime, gateway);
                                });
                      });
            })
        .whenComplete(
            (server, error) -> {
              if (error != null) {
                system.terminate();
              }
            });
  }

  /** Logs how long each phase of the start took, so that a slow start says where it waited. */
  private static void logStarted(long began, long[] marks) {
    log.info(
        "Node started in {} ms (cluster, journal and migrations {} ms; gateway bind {} ms;"
            + " management bind {} ms)",
        (marks[2] - began) / 1_000_000,
        (marks[0] - began) / 1_000_000,
        (marks[1] - marks[0]) / 1_000_000,
        (marks[2] - marks[1]) / 1_000_000);
  }

  private static Worker constructWorker(Application application) {
    if (application.worker().isEmpty()) {
      return null;
    }
    Class<? extends Worker> type = application.worker().get();
    try {
      return Application.workerConstructor(type).newInstance();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause = e instanceof InvocationTargetException && e.getCause() != null
          ? e.getCause() : e;
      throw new StartFailure(
          "the Worker " + type.getName() + " could not be constructed: " + cause, false, cause);
    }
  }

  /** Starts Pekko Management's HTTP endpoint when {@code duro.management.enabled}. */
  private static CompletionStage<Void> startManagement(ActorSystem<Void> system, boolean enabled) {
    if (!enabled) {
      return CompletableFuture.completedFuture(null);
    }
    Config c = system.settings().config();
    String where =
        c.getString("pekko.management.http.hostname")
            + ":"
            + c.getString("pekko.management.http.port");
    return PekkoManagement.get(system)
        .start()
        .<Void>thenApply(uri -> null)
        .exceptionally(
            error -> {
              throw new StartFailure(
                  "the management endpoint cannot listen on "
                      + where
                      + " (duro.management.port, --management-port): "
                      + rootMessage(error),
                  false,
                  error);
            });
  }

  /** The failure inside {@link java.util.concurrent.CompletionException} wrappers. */
  private static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
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
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("The node did not stop within 30 s", e);
    }
  }

  /** Why a node could not start: the journal (storage) or the gateway (network). */
  public static final class StartFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean journal;

    StartFailure(String message, boolean journal, Throwable cause) {
      super(message, cause);
      this.journal = journal;
    }

    /**
     * Whether the journal (the storage), rather than the network, failed.
     *
     * @return true for a journal failure
     */
    public boolean isJournalFailure() {
      return journal;
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == t || t.getMessage() == null || t.getMessage().contains(root.toString())
        ? String.valueOf(root.getMessage())
        : t.getMessage() + " (" + root.getMessage() + ")";
  }

  /** Default time to wait for a node to start in tests and tools. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
}

package io.duro.runtime;

import com.typesafe.config.Config;
import io.duro.runtime.jdbc.EmbeddedJournal;
import io.duro.runtime.migrations.MigrationPlan;
import io.duro.runtime.migrations.MigrationSettings;
import io.duro.runtime.migrations.MigrationStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * The steps that bring a node's runtime up, in order: the journal's schema, the embedded
 * journal's lease, the application's migrations, joining the cluster, and waiting until the node
 * is a member — with a message that says what to check when it does not become one.
 */
final class RuntimeStartup {

  private RuntimeStartup() {}

  /**
   * Creates the journal schema when missing, takes the embedded journal's lease and applies the
   * pending migrations.
   *
   * @return the application with the namespace keys its migrations recorded
   */
  static CompletionStage<Application> prepare(
      ActorSystem<?> system, Application application, ClusterSettings cluster) {
    EmbeddedJournal.recoverIfNotClosedCleanly(system.settings().config())
        .ifPresent(recovered -> system.log().warn(recovered));
    return createSchema(system, cluster.schemaAttempts())
        .thenApply(
            done -> {
              if (EmbeddedJournal.isEmbedded(system.settings().config())) {
                closeAtShutdown(system, EmbeddedJournal.start(system.settings().config()));
              }
              return done;
            })
        .thenCompose(done -> migrate(system, application));
  }

  /** Joins the cluster: a node without seed nodes or Cluster Bootstrap forms a cluster alone. */
  static void join(ActorSystem<?> system, ClusterSettings cluster) {
    Cluster self = Cluster.get(system);
    if (cluster.seedNodes().isEmpty() && !cluster.bootstrap()) {
      self.manager().tell(Join.create(self.selfMember().address()));
    }
  }

  /**
   * Completes with {@code runtime} once the node is a member of its cluster.
   *
   * @return the runtime; fails with {@link ClusterJoinException} after the join timeout
   */
  static <T> CompletionStage<T> whenUp(ActorSystem<?> system, ClusterSettings cluster, T runtime) {
    Cluster self = Cluster.get(system);
    CompletableFuture<T> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
        .registerOnMemberUp(() -> up.complete(runtime));
    return up.orTimeout(cluster.joinTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            error ->
                CompletableFuture.failedFuture(
                    error instanceof TimeoutException
                        ? new ClusterJoinException(
                            "the node "
                                + self.selfMember().address()
                                + " did not join its cluster within "
                                + cluster.joinTimeout().toSeconds()
                                + " s (duro.cluster.join-timeout): "
                                + (cluster.bootstrap()
                                    ? bootstrapHint(system)
                                    : "none of the seed nodes "
                                        + cluster.seedNodes()
                                        + " admitted it; are they running and"
                                        + " reachable from this host?"))
                        : error));
  }

  /**
   * Applies the pending migrations on a thread of its own (JDBC blocks) and returns the
   * application with the namespace keys they recorded. An application without migrations runs
   * unmanaged: nothing is read or written.
   */
  private static CompletionStage<Application> migrate(
      ActorSystem<?> system, Application application) {
    if (application.migrations().isEmpty()) {
      return CompletableFuture.completedFuture(application);
    }
    Config config = system.settings().config();
    CompletableFuture<Application> migrated = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                MigrationPlan plan =
                    MigrationStore.of(config)
                        .apply(
                            application,
                            system.address().toString(),
                            MigrationSettings.from(config).lockTimeout());
                migrated.complete(application.withNamespaceKeys(plan.keysByClass()));
              } catch (RuntimeException | Error e) {
                migrated.completeExceptionally(e);
              }
            },
            "duro-migrations");
    thread.setDaemon(true);
    thread.start();
    return migrated;
  }

  /** What to check when Cluster Bootstrap did not get the node into a cluster. */
  private static String bootstrapHint(ActorSystem<?> system) {
    com.typesafe.config.Config c = system.settings().config();
    String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    String selector =
        c.hasPath("pekko.discovery.kubernetes-api.pod-label-selector")
            ? c.getString("pekko.discovery.kubernetes-api.pod-label-selector")
                .replace("%s", c.getString(discovery + "service-name"))
            : "?";
    return "Cluster Bootstrap found no cluster to join and could not form one. It needs at least "
        + (c.hasPath(discovery + "required-contact-point-nr")
            ? c.getInt(discovery + "required-contact-point-nr")
            : 2)
        + " running pods matching the label selector '"
        + selector
        + "' with a container port named '"
        + (c.hasPath(discovery + "port-name") ? c.getString(discovery + "port-name") : "?")
        + "' whose management endpoints answer, and the right to list pods (RBAC); the log"
        + " above names the discovery's last problem";
  }

  /**
   * Gives this runtime's share of the embedded journal back once the node's objects have stopped
   * (the last phase before the actor system terminates): the last node of the JVM on the file
   * shuts the database down, so that the file is closed cleanly before the JVM exits.
   */
  private static void closeAtShutdown(ActorSystem<?> system, EmbeddedJournal.Lease journal) {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "duro-close-embedded-journal",
            () ->
                CompletableFuture.supplyAsync(
                    () -> {
                      journal.close();
                      return Done.getInstance();
                    }));
    system.getWhenTerminated().thenRun(journal::close);
  }

  /** Creates the journal tables when missing; retried because nodes may start together. */
  private static CompletionStage<Done> createSchema(ActorSystem<?> system, int attempts) {
    return SchemaUtils.createIfNotExists(system)
        .exceptionallyCompose(
            error ->
                attempts <= 1
                    ? CompletableFuture.failedFuture(error)
                    : CompletableFuture.supplyAsync(
                            () -> null,
                            CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, Runnable::run))
                        .thenCompose(x -> createSchema(system, attempts - 1)));
  }
}

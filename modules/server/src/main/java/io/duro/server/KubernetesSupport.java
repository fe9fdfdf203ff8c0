package io.duro.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.duro.runtime.kubernetes.AppVersionRevision;
import io.duro.runtime.kubernetes.KubernetesApi;
import io.duro.runtime.kubernetes.KubernetesApiException;
import io.duro.runtime.kubernetes.KubernetesSettings;
import io.duro.runtime.kubernetes.PodDeletionCost;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node in a Kubernetes pod ({@code duro.cluster.discovery = kubernetes}): before the actor system
 * starts, the app-version is read from the pod's ReplicaSet ({@link AppVersionRevision}); once it
 * runs (with Pekko Management up), Cluster Bootstrap finds the other pods through the Kubernetes
 * API and the pod's deletion cost is kept up to date ({@link PodDeletionCost}). See
 * docs/kubernetes.md.
 */
final class KubernetesSupport {

  private static final Logger log = LoggerFactory.getLogger(KubernetesSupport.class);

  private final Config config;
  private final KubernetesApi api;
  private final KubernetesSettings settings;

  private KubernetesSupport(Config config, KubernetesApi api, KubernetesSettings settings) {
    this.config = config;
    this.api = api;
    this.settings = settings;
  }

  /**
   * Connects to the Kubernetes API and reads the app-version, before the actor system starts.
   *
   * @param config the node's configuration
   * @return the support, with the configuration to start the actor system with
   * @throws DuroServer.StartFailure naming what is wrong (API server, service account, pod,
   *     ReplicaSet)
   */
  static KubernetesSupport prepare(Config config) {
    KubernetesSettings settings = KubernetesSettings.from(config);
    try {
      KubernetesApi api = KubernetesApi.connect(settings);
      if (!settings.appVersionFromReplicaSet()) {
        return new KubernetesSupport(config, api, settings);
      }
      String version = AppVersionRevision.read(api, settings);
      log.info(
          "Pod {}: app-version {} (revision of its ReplicaSet, {})",
          settings.podName(),
          version,
          AppVersionRevision.REVISION);
      Config withVersion =
          ConfigFactory.parseMap(Map.of("pekko.cluster.app-version", version))
              .withFallback(config);
      return new KubernetesSupport(withVersion, api, settings);
    } catch (KubernetesApiException e) {
      throw new DuroServer.StartFailure(
          "the Kubernetes API cannot be used (duro.cluster.discovery = kubernetes): "
              + e.getMessage(),
          false,
          e);
    }
  }

  /** The configuration to start the actor system with (app-version set). */
  Config config() {
    return config;
  }

  /** Starts Cluster Bootstrap and the deletion-cost updates (management already runs). */
  void start(ActorSystem<?> system) {
    ClusterBootstrap.get(Adapter.toClassic(system)).start();
    if (settings.podDeletionCost()) {
      PodDeletionCost.start(system, api, settings);
    }
  }
}

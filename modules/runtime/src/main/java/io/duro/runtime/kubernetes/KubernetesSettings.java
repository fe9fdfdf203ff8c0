package io.duro.runtime.kubernetes;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code duro.kubernetes} settings: where the Kubernetes API is, who this pod is, and the
 * rolling-update support (see {@code reference.conf}).
 *
 * @param apiHost the API server's host ({@code KUBERNETES_SERVICE_HOST}); empty when unknown
 * @param apiPort its port ({@code KUBERNETES_SERVICE_PORT})
 * @param caPath the CA certificate (PEM) the API server's certificate is checked against
 * @param tokenPath the service account token sent as bearer token
 * @param namespace the pod's namespace, or empty to read {@code namespacePath}
 * @param namespacePath the service account's namespace file
 * @param podName this pod's name; empty when unknown
 * @param requestTimeout how long one API call may take
 * @param appVersionFromReplicaSet whether the app-version is the ReplicaSet's revision
 * @param readAttempts tries of that read
 * @param podDeletionCost whether this pod's deletion cost is kept up to date
 * @param annotatedPods how many of the oldest members get a deletion cost
 * @param retryDelay first delay before a failed patch is retried
 * @param retryMaxDelay longest delay between two tries of a patch
 */
public record KubernetesSettings(
    String apiHost,
    int apiPort,
    Path caPath,
    Path tokenPath,
    String namespace,
    Path namespacePath,
    String podName,
    Duration requestTimeout,
    boolean appVersionFromReplicaSet,
    int readAttempts,
    boolean podDeletionCost,
    int annotatedPods,
    Duration retryDelay,
    Duration retryMaxDelay) {

  /**
   * Reads the settings.
   *
   * @param config the whole configuration
   * @return the settings
   * @throws IllegalArgumentException naming a bad value
   */
  public static KubernetesSettings from(Config config) {
    Config c = config.getConfig("duro.kubernetes");
    Config r = c.getConfig("rolling-update");
    KubernetesSettings s =
        new KubernetesSettings(
            c.getString("api-host").trim(),
            c.getInt("api-port"),
            Path.of(c.getString("api-ca-path")),
            Path.of(c.getString("api-token-path")),
            c.getString("namespace").trim(),
            Path.of(c.getString("namespace-path")),
            c.getString("pod-name").trim(),
            c.getDuration("request-timeout"),
            r.getBoolean("app-version-from-replica-set"),
            r.getInt("read-attempts"),
            r.getBoolean("pod-deletion-cost"),
            r.getInt("annotated-pods"),
            r.getDuration("retry-delay"),
            r.getDuration("retry-max-delay"));
    if (s.apiPort < 1 || s.apiPort > 65535) {
      throw new IllegalArgumentException(
          "duro.kubernetes.api-port (KUBERNETES_SERVICE_PORT) must be 1..65535; it is "
              + s.apiPort);
    }
    if (s.readAttempts < 1) {
      throw new IllegalArgumentException(
          "duro.kubernetes.rolling-update.read-attempts must be at least 1; it is "
              + s.readAttempts);
    }
    if (s.annotatedPods < 1) {
      throw new IllegalArgumentException(
          "duro.kubernetes.rolling-update.annotated-pods must be at least 1; it is "
              + s.annotatedPods);
    }
    return s;
  }
}

package io.duro.runtime.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * Reads the revision of the Deployment that started this pod — the annotation {@code
 * deployment.kubernetes.io/revision} of the ReplicaSet that owns the pod — to be used as {@code
 * pekko.cluster.app-version}. Runs before the actor system starts (the app-version cannot change
 * later). Every Deployment rollout creates a ReplicaSet with a higher revision, so the nodes of a
 * rollout's new version always have the higher app-version, and Pekko allocates new shards to
 * them.
 *
 * <pre>{@code
 * String version = AppVersionRevision.read(KubernetesApi.connect(settings), settings);
 * }</pre>
 */
public final class AppVersionRevision {

  /** The annotation the Deployment controller puts on every ReplicaSet it creates. */
  public static final String REVISION = "deployment.kubernetes.io/revision";

  private AppVersionRevision() {}

  /**
   * Reads the revision, trying {@code readAttempts} times (1 s apart) when the API server is not
   * reached or answers 5xx.
   *
   * @param api the Kubernetes API
   * @param settings the pod's name and the number of attempts
   * @return the revision, e.g. {@code "3"}
   * @throws KubernetesApiException naming what is missing: the pod name, the pod, its owner
   *     ReplicaSet, the annotation, or why the API server could not be used
   */
  public static String read(KubernetesApi api, KubernetesSettings settings) {
    for (int attempt = 1; ; attempt++) {
      try {
        return readOnce(api, settings.podName());
      } catch (KubernetesApiException e) {
        if (!e.isTransient() || attempt >= settings.readAttempts()) {
          throw e;
        }
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  private static String readOnce(KubernetesApi api, String podName) {
    if (podName.isEmpty()) {
      throw new KubernetesApiException(
          "this pod's name is unknown: set POD_NAME (downward API: metadata.name) or"
              + " duro.kubernetes.pod-name",
          0,
          null);
    }
    JsonNode pod = notFoundSays(
        () -> api.getPod(podName),
        "the pod "
            + podName
            + " does not exist in namespace "
            + api.namespace()
            + " (duro.kubernetes.pod-name, POD_NAME; duro.kubernetes.namespace, POD_NAMESPACE)");
    String replicaSet = null;
    for (JsonNode owner : pod.path("metadata").path("ownerReferences")) {
      if (owner.path("kind").asText().equals("ReplicaSet")) {
        replicaSet = owner.path("name").asText();
      }
    }
    if (replicaSet == null || replicaSet.isEmpty()) {
      throw new KubernetesApiException(
          "the pod "
              + podName
              + " has no owner ReplicaSet, so it has no Deployment revision to use as"
              + " app-version: run the nodes in a Deployment, or turn off"
              + " duro.kubernetes.rolling-update.app-version-from-replica-set",
          0,
          null);
    }
    String name = replicaSet;
    JsonNode rs = notFoundSays(
        () -> api.getReplicaSet(name),
        "the ReplicaSet "
            + name
            + " that owns the pod "
            + podName
            + " does not exist in namespace "
            + api.namespace());
    JsonNode revision = rs.path("metadata").path("annotations").path(REVISION);
    if (!revision.isTextual() || !revision.asText().matches("[0-9]+")) {
      throw new KubernetesApiException(
          "the ReplicaSet "
              + name
              + " has no numeric annotation "
              + REVISION
              + " (it has "
              + (revision.isMissingNode() ? "none" : "'" + revision.asText() + "'")
              + "): is it managed by a Deployment?",
          0,
          null);
    }
    return revision.asText();
  }

  private static JsonNode notFoundSays(java.util.function.Supplier<JsonNode> call, String what) {
    try {
      return call.get();
    } catch (KubernetesApiException e) {
      if (e.status() == 404) {
        throw new KubernetesApiException(what + " (" + e.getMessage() + ")", 404, e);
      }
      throw e;
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesApiException("interrupted while reading the app-version", 0, e);
    }
  }
}

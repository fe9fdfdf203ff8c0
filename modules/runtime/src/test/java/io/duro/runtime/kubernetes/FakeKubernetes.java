package io.duro.runtime.kubernetes;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * fabric8's fake Kubernetes API server (HTTPS, CRUD: what is created can be read and patched) on
 * loopback, with a service account directory (token, namespace) and its self-signed certificate
 * as the CA, and helpers to create a Deployment's ReplicaSet and pods.
 */
final class FakeKubernetes implements AutoCloseable {

  static final String NAMESPACE = "duro-test";

  final KubernetesMockServer server;
  final NamespacedKubernetesClient client;
  final Path serviceAccount;

  FakeKubernetes(Path dir) throws IOException {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(),
            true);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    client = server.createClient();
    serviceAccount = Files.createDirectories(dir.resolve("serviceaccount"));
    Files.writeString(serviceAccount.resolve("token"), "test-token");
    Files.writeString(serviceAccount.resolve("namespace"), NAMESPACE);
    Files.copy(
        Path.of(server.getSelfSignedCertificate().certificatePath()),
        serviceAccount.resolve("ca.crt"));
  }

  /** duro.kubernetes settings that reach this server as pod {@code podName}. */
  Config config(String podName) {
    return ConfigFactory.parseMap(
            Map.of(
                "duro.kubernetes.api-host", "localhost",
                "duro.kubernetes.api-port", server.getPort(),
                "duro.kubernetes.api-ca-path", serviceAccount.resolve("ca.crt").toString(),
                "duro.kubernetes.api-token-path", serviceAccount.resolve("token").toString(),
                "duro.kubernetes.namespace-path", serviceAccount.resolve("namespace").toString(),
                "duro.kubernetes.pod-name", podName,
                "duro.kubernetes.rolling-update.retry-delay", "100ms"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  KubernetesSettings settings(String podName) {
    return KubernetesSettings.from(config(podName));
  }

  ReplicaSet replicaSet(String name, String revision) {
    return client
        .apps()
        .replicaSets()
        .inNamespace(NAMESPACE)
        .resource(
            new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(name)
                .addToAnnotations(AppVersionRevision.REVISION, revision)
                .endMetadata()
                .build())
        .create();
  }

  Pod pod(String name, String ownerReplicaSet) {
    PodBuilder pod =
        new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "duro").endMetadata();
    if (ownerReplicaSet != null) {
      pod.editMetadata()
          .addNewOwnerReference()
          .withApiVersion("apps/v1")
          .withKind("ReplicaSet")
          .withName(ownerReplicaSet)
          .withUid("uid-" + ownerReplicaSet)
          .withController(true)
          .endOwnerReference()
          .endMetadata();
    }
    return client.pods().inNamespace(NAMESPACE).resource(pod.build()).create();
  }

  Pod readPod(String name) {
    return client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}

package io.duro.runtime.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the app-version from the pod's ReplicaSet, against fabric8's fake API server. */
class AppVersionRevisionTest {

  @TempDir Path dir;
  FakeKubernetes kube;

  @BeforeEach
  void startTheFakeApiServer() throws Exception {
    kube = new FakeKubernetes(dir);
  }

  @AfterEach
  void stopIt() {
    kube.close();
  }

  private String read(String pod) {
    KubernetesSettings settings = kube.settings(pod);
    return AppVersionRevision.read(KubernetesApi.connect(settings), settings);
  }

  private KubernetesApiException failure(String pod) {
    return assertThrows(KubernetesApiException.class, () -> read(pod));
  }

  @Test
  void readOfAPodOfAReplicaSetGivesTheReplicaSetsRevision() {
    kube.replicaSet("duro-7d9f", "7");
    kube.pod("duro-7d9f-abc", "duro-7d9f");
    assertEquals("7", read("duro-7d9f-abc"));
  }

  @Test
  void readWhenTheReplicaSetIsMissingNamesIt() {
    kube.pod("duro-1-abc", "duro-gone");
    KubernetesApiException e = failure("duro-1-abc");
    assertTrue(e.getMessage().contains("the ReplicaSet duro-gone that owns the pod duro-1-abc"
        + " does not exist in namespace duro-test"), e.getMessage());
  }

  @Test
  void readOfAPodWithoutOwnerSaysItNeedsADeployment() {
    kube.pod("lonely", null);
    assertTrue(failure("lonely").getMessage().contains("has no owner ReplicaSet"));
  }

  @Test
  void readOfAnUnknownPodNamesThePodAndTheNamespace() {
    assertTrue(
        failure("nobody").getMessage().contains("the pod nobody does not exist in namespace"
            + " duro-test"));
  }

  @Test
  void readOfAReplicaSetWithoutRevisionSaysSo() {
    kube.client.apps().replicaSets().inNamespace(FakeKubernetes.NAMESPACE).resource(
        new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
            .withNewMetadata().withName("bare").endMetadata().build()).create();
    kube.pod("bare-1", "bare");
    assertTrue(
        failure("bare-1").getMessage().contains("has no numeric annotation"
            + " deployment.kubernetes.io/revision"));
  }

  @Test
  void readWithAnUnreachableApiServerFailsNamingTheAddress() throws Exception {
    KubernetesSettings settings = kube.settings("p");
    int port = kube.server.getPort();
    kube.close();
    KubernetesApiException e =
        assertThrows(
            KubernetesApiException.class,
            () -> AppVersionRevision.read(KubernetesApi.connect(settings), settings));
    assertTrue(
        e.getMessage().contains("the Kubernetes API server at https://localhost:" + port
            + " cannot be reached"), e.getMessage());
    kube = new FakeKubernetes(dir.resolve("again"));
  }

  @Test
  void connectWithAMalformedCaCertificateNamesTheFile() throws Exception {
    Path ca = kube.serviceAccount.resolve("ca.crt");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n");
    KubernetesApiException e =
        assertThrows(KubernetesApiException.class, () -> KubernetesApi.connect(kube.settings("p")));
    assertTrue(e.getMessage().contains("the Kubernetes CA certificate file " + ca), e.getMessage());
    assertTrue(e.getMessage().contains("is not a PEM certificate"), e.getMessage());
  }

  @Test
  void connectWithoutATokenFileSaysAServiceAccountIsNeeded() throws Exception {
    Files.delete(kube.serviceAccount.resolve("token"));
    KubernetesApiException e =
        assertThrows(KubernetesApiException.class, () -> KubernetesApi.connect(kube.settings("p")));
    assertTrue(e.getMessage().contains("the service account token cannot be read from"));
    assertTrue(e.getMessage().contains("duro.kubernetes.api-token-path"));
  }

  @Test
  void connectWithoutAnApiServerAddressNamesTheVariable() {
    KubernetesSettings settings = kube.settings("p");
    KubernetesSettings noHost =
        new KubernetesSettings("", 443, settings.caPath(), settings.tokenPath(), "",
            settings.namespacePath(), "p", settings.requestTimeout(), true, 1, true, 3,
            settings.retryDelay(), settings.retryMaxDelay());
    KubernetesApiException e =
        assertThrows(KubernetesApiException.class, () -> KubernetesApi.connect(noHost));
    assertTrue(e.getMessage().contains("KUBERNETES_SERVICE_HOST is not set"), e.getMessage());
  }

  @Test
  void readWithoutTheRightToGetPodsSaysAnRbacPermissionIsMissing() throws Exception {
    // A server that answers like an API server enforcing RBAC.
    io.fabric8.kubernetes.client.server.mock.KubernetesMockServer strict =
        new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(true);
    strict.init(java.net.InetAddress.getByName("127.0.0.1"), 0);
    try {
      strict.expect().get().withPath("/api/v1/namespaces/duro-test/pods/p")
          .andReturn(403, java.util.Map.of(
              "kind", "Status",
              "message", "pods \"p\" is forbidden: User \"system:serviceaccount:duro-test:default\""
                  + " cannot get resource \"pods\""))
          .always();
      Path ca = dir.resolve("strict-ca.crt");
      Files.copy(Path.of(strict.getSelfSignedCertificate().certificatePath()), ca);
      KubernetesSettings s = kube.settings("p");
      KubernetesSettings settings =
          new KubernetesSettings("localhost", strict.getPort(), ca, s.tokenPath(), "",
              s.namespacePath(), "p", s.requestTimeout(), true, 3, true, 3,
              s.retryDelay(), s.retryMaxDelay());
      KubernetesApiException e =
          assertThrows(
              KubernetesApiException.class,
              () -> AppVersionRevision.read(KubernetesApi.connect(settings), settings));
      assertTrue(
          e.getMessage().contains("answered 403 (forbidden: the pod's service account lacks an"
              + " RBAC permission): pods \"p\" is forbidden"), e.getMessage());
      assertEquals(1, strict.getRequestCount(), "a 403 is not retried");
    } finally {
      strict.destroy();
    }
  }
}

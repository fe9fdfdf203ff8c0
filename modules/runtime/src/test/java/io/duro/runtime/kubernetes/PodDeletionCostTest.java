package io.duro.runtime.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-node cluster in the test's JVM annotating its pod on fabric8's fake API server. */
class PodDeletionCostTest {

  @TempDir Path dir;
  FakeKubernetes kube;
  ActorSystem<Void> system;

  @BeforeEach
  void startTheFakeApiServer() throws Exception {
    kube = new FakeKubernetes(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    kube.close();
  }

  private void startNode(String pod) {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "cost",
            ConfigFactory.parseString(
                    """
                    pekko.actor.provider = cluster
                    pekko.remote.artery.canonical.hostname = "127.0.0.1"
                    pekko.remote.artery.canonical.port = 0
                    pekko.loglevel = INFO
                    pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
                    pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
                    """)
                .withFallback(kube.config(pod)));
    KubernetesSettings settings = KubernetesSettings.from(system.settings().config());
    PodDeletionCost.start(system, KubernetesApi.connect(settings), settings);
    Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
  }

  private String costOf(String pod, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Pod p = kube.readPod(pod);
      String cost =
          p == null ? null : p.getMetadata().getAnnotations().get(PodDeletionCost.ANNOTATION);
      if (cost != null) {
        return cost;
      }
      Thread.sleep(100); // the poll interval of an awaited condition
    }
    return null;
  }

  private List<RecordedRequest> patches() throws InterruptedException {
    List<RecordedRequest> list = new ArrayList<>();
    RecordedRequest r;
    while ((r = kube.server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      if (r.getMethod().equals("PATCH")) {
        list.add(r);
      }
    }
    return list;
  }

  @Test
  void theOldestMemberPatchesItsPodWithTheHighestCost() throws Exception {
    kube.pod("duro-1", "duro-rs");
    startNode("duro-1");
    assertEquals("3", costOf("duro-1", Duration.ofSeconds(20)));
    List<RecordedRequest> patches = patches();
    assertEquals(1, patches.size(), "one patch while the membership is unchanged");
    RecordedRequest patch = patches.get(0);
    assertEquals("/api/v1/namespaces/duro-test/pods/duro-1", patch.getPath());
    assertEquals("application/merge-patch+json", patch.getHeader("Content-Type"));
    assertEquals("Bearer test-token", patch.getHeader("Authorization"));
    // (The fake server's CRUD dispatcher consumes the body; its effect is the annotation above.)
  }

  @Test
  void aFailedPatchIsRetriedUntilItSucceeds() throws Exception {
    startNode("late-pod");
    // The first patches fail: the pod does not exist yet (404).
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    int tried = 0;
    while (tried < 2 && System.nanoTime() < deadline) {
      tried += patches().size();
      Thread.sleep(100); // the poll interval of an awaited condition
    }
    assertTrue(tried >= 2, "a failed patch was tried again: " + tried);
    kube.pod("late-pod", "duro-rs");
    assertEquals("3", costOf("late-pod", Duration.ofSeconds(20)));
  }

  @Test
  void costsGoFromTheNumberOfAnnotatedPodsDownToOneThenZero() {
    assertEquals(3, PodDeletionCost.costOf(0, 3));
    assertEquals(1, PodDeletionCost.costOf(2, 3));
    assertEquals(0, PodDeletionCost.costOf(3, 3));
  }
}

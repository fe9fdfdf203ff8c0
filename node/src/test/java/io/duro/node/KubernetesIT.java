package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Node processes in "pods" of fabric8's fake Kubernetes API server (HTTPS, in this JVM): each
 * node has its own loopback address as pod IP (127.0.0.2, ...), finds the others through the API
 * (Cluster Bootstrap, pod label selector, no seed nodes), reads its app-version from its
 * ReplicaSet and annotates its pod with a deletion cost. All share one fresh PostgreSQL database.
 * Then a rolling upgrade from revision 1 to 2 under load, the way a Deployment does it, with the
 * pod to replace chosen by its deletion cost as the ReplicaSet controller does.
 */
@Tag("process")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesIT {

  static final String NAMESPACE = "duro-test";
  static final String COST = "controller.kubernetes.io/pod-deletion-cost";

  /**
   * Longer than the gateway's own limit (pekko.http.server.request-timeout, 40 s), so that a
   * request the node cannot serve is answered by the node (with a code saying why), not cut by
   * the client.
   */
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

  Path temp;
  PostgresDatabase db;
  KubernetesMockServer server;
  NamespacedKubernetesClient kube;
  Path serviceAccount;
  /** Running nodes by pod name, in start order. */
  final Map<String, Node> nodes = new LinkedHashMap<>();
  /** Everything the fake API server received, drained from it by {@link #recorded()}. */
  final List<RecordedRequest> requests = new ArrayList<>();
  Node orphan;
  Node alone;

  record Node(String pod, String ip, int managementPort, NodeProcess process) {
    int port() {
      return process.port();
    }
  }

  @BeforeAll
  void startTheFakeApiServerAndThreeNodes() throws Exception {
    temp = Files.createTempDirectory("duro-kubernetes-it");
    db = PostgresDatabase.create();
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new JsonCrudDispatcher(), true);
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    kube = server.createClient();
    serviceAccount = Files.createDirectories(temp.resolve("serviceaccount"));
    Files.writeString(serviceAccount.resolve("token"), "test-token");
    Files.writeString(serviceAccount.resolve("namespace"), NAMESPACE);
    Files.copy(
        Path.of(server.getSelfSignedCertificate().certificatePath()),
        serviceAccount.resolve("ca.crt"));
    replicaSet("duro-v1", "1");
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      started.add(launch("duro-v1-" + (char) ('a' + i), "127.0.0." + (2 + i), "duro-v1", ""));
    }
    // Two nodes that cannot start, in pods the others do not select (app=duro-bad); they are
    // checked by the last test, and started now to save a JVM start-up on this 2-core machine.
    orphan = launch("orphan", "127.0.0.9", "duro-gone", "", "duro-bad");
    alone =
        launch(
            "alone",
            "127.0.0.10",
            "duro-v1",
            "duro.kubernetes.pod-label-selector = \"app=nobody-%s\"\n"
                + "duro.cluster.join-timeout = 10s",
            "duro-bad");
    nodes.remove("orphan");
    nodes.remove("alone");
    for (Node n : started) {
      n.process().awaitHealthy();
    }
    awaitUpMembers(started.get(0), 3);
  }

  @AfterAll
  void stopEverything() throws Exception {
    for (Node n : nodes.values()) {
      n.process().close();
    }
    for (Node n : new Node[] {orphan, alone}) {
      if (n != null) {
        n.process().close();
      }
    }
    if (kube != null) {
      kube.close();
    }
    if (server != null) {
      server.destroy();
    }
    if (db != null) {
      db.close();
    }
    if (temp != null) {
      // The nodes' logs stay in target/ for a look after the run.
      Path logs = Files.createDirectories(Path.of("target/kubernetes-it-logs"));
      try (var files = Files.list(temp)) {
        for (Path f : files.filter(f -> f.toString().endsWith(".out")
            || f.toString().endsWith(".err")).toList()) {
          Files.copy(
              f,
              logs.resolve(f.getFileName()),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      try (var files = Files.walk(temp)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---- the fake cluster ------------------------------------------------------------------------

  /**
   * fabric8's CRUD dispatcher, answering reads with {@code Content-Type: application/json} as the
   * real API server does (the fake one sends none, which Pekko's discovery refuses).
   */
  static final class JsonCrudDispatcher extends KubernetesCrudDispatcher {
    @Override
    public MockResponse handleGet(String path) {
      MockResponse response = super.handleGet(path);
      return response.header("Content-Type") == null
          ? response.setHeader("Content-Type", "application/json")
          : response;
    }
  }

  private void replicaSet(String name, String revision) {
    kube.apps()
        .replicaSets()
        .inNamespace(NAMESPACE)
        .resource(
            new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("app", "duro")
                .addToAnnotations("deployment.kubernetes.io/revision", revision)
                .endMetadata()
                .build())
        .create();
  }

  /** A running pod of a ReplicaSet, as the Deployment's template describes it. */
  private void pod(String name, String ip, String replicaSet, int managementPort, String app) {
    kube.pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("app", app)
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName(replicaSet)
                .withUid("uid-" + replicaSet)
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("duro")
                .withImage("duro-node")
                .addNewPort()
                .withName("management")
                .withContainerPort(managementPort)
                .endPort()
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .withPodIP(ip)
                .endStatus()
                .build())
        .create();
  }

  /** Creates the pod and starts its node (without waiting for it). */
  private Node launch(String pod, String ip, String replicaSet, String extraConfig)
      throws IOException {
    return launch(pod, ip, replicaSet, extraConfig, "duro");
  }

  private Node launch(String pod, String ip, String replicaSet, String extraConfig, String app)
      throws IOException {
    int port = NodeProcess.freePort();
    int management = NodeProcess.freePort();
    pod(pod, ip, replicaSet, management, app);
    Path config =
        db.configFile(
            temp,
            String.join(
                "\n",
                "duro.cluster.discovery = kubernetes",
                "duro.cluster.join-timeout = 90s",
                "duro.kubernetes.required-contact-points = 3",
                "duro.kubernetes.api-ca-path = \"" + serviceAccount.resolve("ca.crt") + "\"",
                "duro.kubernetes.api-token-path = \"" + serviceAccount.resolve("token") + "\"",
                "duro.kubernetes.namespace-path = \"" + serviceAccount.resolve("namespace") + "\"",
                "duro.gateway.host = \"127.0.0.1\"",
                // The pod IP: bootstrap finds itself among the contact points by it.
                "duro.management.hostname = \"" + ip + "\"",
                "pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin = 2s",
                extraConfig));
    NodeProcess process =
        NodeProcess.launch(
            temp,
            pod,
            port,
            List.of(
                "--port", "" + port,
                "--config", config.toString(),
                "--data-dir", temp.resolve("data-" + pod).toString(),
                "--cluster-host", ip,
                "--cluster-port", "" + NodeProcess.freePort(),
                "--management-port", "" + management),
            Map.of(
                // Four node JVMs and the load share 2 cores: C1 only keeps start-ups short.
                "JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1",
                "KUBERNETES_SERVICE_HOST", "localhost",
                "KUBERNETES_SERVICE_PORT", "" + server.getPort(),
                "POD_NAME", pod,
                "POD_NAMESPACE", NAMESPACE));
    Node node = new Node(pod, ip, management, process);
    nodes.put(pod, node);
    return node;
  }

  private Pod readPod(String name) {
    return kube.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  private List<RecordedRequest> recorded() throws InterruptedException {
    RecordedRequest r;
    while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r);
    }
    return requests;
  }

  private static JsonNode members(Node node) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://" + node.ip() + ":" + node.managementPort() + "/cluster/members"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return HttpJson.JSON.readTree(r.body());
  }

  private static void awaitUpMembers(Node node, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        JsonNode m = members(node);
        last = m.toString();
        int up = 0;
        for (JsonNode member : m.get("members")) {
          up += member.get("status").asText().equals("Up") ? 1 : 0;
        }
        if (up == count && m.get("members").size() == count && m.get("unreachable").isEmpty()) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200); // the poll interval of an awaited condition
    }
    throw new AssertionError("The cluster never had exactly " + count + " Up members: " + last);
  }

  private Map<String, String> deletionCosts(Duration within, int expected) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    Map<String, String> costs = new LinkedHashMap<>();
    while (System.nanoTime() < deadline) {
      costs.clear();
      for (String pod : nodes.keySet()) {
        Pod p = readPod(pod);
        String cost = p == null ? null : p.getMetadata().getAnnotations().get(COST);
        if (cost != null) {
          costs.put(pod, cost);
        }
      }
      // Each node annotates its own pod from its own view of the members, so two pods may
      // briefly share a rank until every node has seen every member Up: wait for distinct ranks.
      if (costs.size() == expected && new java.util.HashSet<>(costs.values()).size() == expected) {
        return costs;
      }
      Thread.sleep(200); // the poll interval of an awaited condition
    }
    return costs;
  }

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  @Order(1)
  void threeNodesFindEachOtherThroughTheKubernetesApiAndFormOneCluster() throws Exception {
    for (Node node : nodes.values()) {
      JsonNode m = members(node);
      assertEquals(3, m.get("members").size(), node.pod() + ": " + m);
      List<String> addresses = new ArrayList<>();
      m.get("members").forEach(x -> addresses.add(x.get("node").asText()));
      for (Node other : nodes.values()) {
        assertTrue(
            addresses.stream().anyMatch(a -> a.contains("@" + other.ip() + ":")),
            node.pod() + " sees " + other.ip() + ": " + addresses);
      }
      // One cluster: every node names the same oldest member.
      assertEquals(
          members(nodes.values().iterator().next()).get("oldest").asText(),
          m.get("oldest").asText());
      assertTrue(
          node.process().stdout().contains("app-version 1 (revision of its ReplicaSet"),
          node.process().logs());
    }
    List<String> calls = new ArrayList<>();
    recorded().forEach(r -> calls.add(r.getMethod() + " " + r.getPath()));
    assertTrue(
        calls.contains("GET /api/v1/namespaces/duro-test/pods?labelSelector=app%3Dduro"),
        "bootstrap listed the pods by label: " + calls);
    assertTrue(
        calls.contains("GET /apis/apps/v1/namespaces/duro-test/replicasets/duro-v1"),
        "the app-version was read from the ReplicaSet: " + calls);
  }

  @Test
  @Order(2)
  void everyPodGetsADeletionCostTheOldestTheHighest() throws Exception {
    Map<String, String> costs = deletionCosts(Duration.ofSeconds(30), 3);
    assertEquals(3, costs.size(), "every pod annotated: " + costs);
    assertEquals(new TreeSet<>(List.of("1", "2", "3")), new TreeSet<>(costs.values()));
    // The oldest member (the first node up, which formed the cluster) has the highest cost.
    String oldest = members(nodes.values().iterator().next()).get("oldest").asText();
    Node oldestNode =
        nodes.values().stream()
            .filter(n -> oldest.contains("@" + n.ip() + ":"))
            .findFirst()
            .orElseThrow();
    assertEquals("3", costs.get(oldestNode.pod()), "costs " + costs + ", oldest " + oldest);
    List<String> patches = new ArrayList<>();
    for (RecordedRequest r : recorded()) {
      if (r.getMethod().equals("PATCH")) {
        patches.add(r.getPath());
        assertEquals("application/merge-patch+json", r.getHeader("Content-Type"));
        assertEquals("Bearer test-token", r.getHeader("Authorization"));
      }
    }
    for (String pod : nodes.keySet()) {
      assertTrue(
          patches.contains("/api/v1/namespaces/duro-test/pods/" + pod),
          "the deletion-cost patch of " + pod + " was sent: " + patches);
    }
  }

  @Test
  @Order(3)
  void rollingUpgradeUnderLoadLosesNoWriteAndFailsNoRequest() throws Exception {
    CopyOnWriteArrayList<HttpJson> gateways = new CopyOnWriteArrayList<>();
    Map<String, HttpJson> gatewayOf = new ConcurrentHashMap<>();
    for (Node n : nodes.values()) {
      HttpJson g = new HttpJson(n.port(), CLIENT_TIMEOUT);
      gateways.add(g);
      gatewayOf.put(n.pod(), g);
    }
    Load load = new Load("roll-", 1000, gateways, 16, 130);
    long warmUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (load.ackedCount() < 300 && System.nanoTime() < warmUntil) {
      Thread.sleep(200); // the poll interval of an awaited condition
    }
    int ackedBefore = load.ackedCount();
    long rolloutStart = System.nanoTime();
    replicaSet("duro-v2", "2");
    List<String> exits = new ArrayList<>();
    List<String> stoppedLogs = new ArrayList<>();
    for (int step = 0; step < 3; step++) {
      // The ReplicaSet controller scales the old ReplicaSet down by deleting its pod with the
      // lowest deletion cost first.
      Map<String, String> costs = deletionCosts(Duration.ofSeconds(30), nodes.size());
      Node old =
          nodes.values().stream()
              .filter(n -> n.pod().startsWith("duro-v1-"))
              .min(
                  Comparator.comparingInt(
                      (Node n) -> Integer.parseInt(costs.getOrDefault(n.pod(), "0"))))
              .orElseThrow();
      // The pod leaves the Service's endpoints as it starts terminating (preStop).
      gateways.remove(gatewayOf.get(old.pod()));
      kube.pods().inNamespace(NAMESPACE).withName(old.pod()).delete();
      long termAt = System.nanoTime();
      old.process().terminate();
      int code = old.process().awaitExit(Duration.ofSeconds(60));
      exits.add(old.pod() + " (cost " + costs.get(old.pod()) + ") got SIGTERM at "
          + java.time.LocalTime.now().minusNanos(System.nanoTime() - termAt) + ", exited " + code
          + " after " + Duration.ofNanos(System.nanoTime() - termAt).toMillis() + " ms");
      nodes.remove(old.pod());
      stoppedLogs.add(old.process().stdout());
      Node fresh = launch("duro-v2-" + (char) ('a' + step), "127.0.0." + (5 + step), "duro-v2", "");
      fresh.process().awaitHealthy();
      awaitUpMembers(fresh, 3);
      HttpJson g = new HttpJson(fresh.port(), CLIENT_TIMEOUT);
      gatewayOf.put(fresh.pod(), g);
      gateways.add(g);
    }
    Duration rollout = Duration.ofNanos(System.nanoTime() - rolloutStart);
    int dropped = 0;
    for (String log : stoppedLogs) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("Dropping \\[(\\d+)] buffered messages").matcher(log);
      while (m.find()) {
        dropped += Integer.parseInt(m.group(1));
      }
    }
    Thread.sleep(3000); // the load goes on with the new version only
    load.stop();
    double seconds = load.elapsed().toMillis() / 1000.0;
    System.out.printf(
        "rolling upgrade: %d increments acknowledged (%d before the rollout), %d failed,"
            + " %d retried by the client (503 shutting_down or connection refused); %.0f"
            + " requests/s over %.1f s; rollout took %d ms; sharding dropped %d requests during"
            + " hand-overs (answered not_delivered and re-sent by the gateways); %s%n",
        load.ackedCount(),
        ackedBefore,
        load.failures.size(),
        load.retries.get(),
        load.sent() / seconds,
        seconds,
        rollout.toMillis(),
        dropped,
        exits);

    assertTrue(load.failures.isEmpty(), "failed client requests: " + load.failures);
    assertTrue(load.sent() / seconds >= 100, "the load reached 100 requests/s: " + load.sent()
        + " in " + seconds + " s");
    for (Node n : nodes.values()) {
      assertTrue(n.pod().startsWith("duro-v2-"), n.pod());
      assertTrue(
          n.process().stdout().contains("app-version 2 (revision of its ReplicaSet"),
          n.process().logs());
    }
    assertTrue(
        recorded().stream()
            .anyMatch(
                r -> r.getPath().equals("/apis/apps/v1/namespaces/duro-test/replicasets/duro-v2")),
        "the new nodes read the new ReplicaSet");
    // Every acknowledged increment is there, exactly (no request failed, so none is ambiguous).
    HttpJson reader = new HttpJson(nodes.values().iterator().next().port(), Duration.ofSeconds(30));
    int objects = 0;
    for (Map.Entry<String, ConcurrentLinkedQueue<Long>> e : load.acked.entrySet()) {
      List<Long> acks = new ArrayList<>(e.getValue());
      assertEquals(acks.size(), new TreeSet<>(acks).size(), e.getKey() + ": a value twice " + acks);
      assertEquals(acks.size(), reader.get("/counter/" + e.getKey()).value(), e.getKey());
      objects++;
    }
    assertTrue(objects > 500, "the load touched most of the 1,000 objects: " + objects);
    assertEquals(
        load.sent(), load.ackedCount(), "every request sent was acknowledged exactly once");
  }

  @Test
  @Order(4)
  void aMissingReplicaSetOrNoMatchingPodsStopTheNodeWithAClearMessage() throws Exception {
    assertEquals(1, orphan.process().awaitExit(Duration.ofSeconds(60)), orphan.process().logs());
    assertTrue(
        orphan.process().stderr().contains(
            "duro-node: cannot start: the Kubernetes API cannot be used"
                + " (duro.cluster.discovery = kubernetes): the ReplicaSet duro-gone that owns the"
                + " pod orphan does not exist in namespace duro-test"),
        orphan.process().logs());
    assertEquals(1, alone.process().awaitExit(Duration.ofSeconds(90)), alone.process().logs());
    String err = alone.process().stderr();
    assertTrue(err.contains("did not join its cluster within 10 s (duro.cluster.join-timeout):"
        + " Cluster Bootstrap found no cluster to join"), alone.process().logs());
    assertTrue(err.contains("label selector 'app=nobody-duro'"), err);
    assertFalse(err.contains("Exception in thread"), err);
  }

  /**
   * Increments at a steady rate over many objects through the gateways in the list (which the
   * test changes as nodes come and go). The client retries, on the next gateway, only what the
   * object provably did not see: a refused connection and 503 {@code shutting_down}.
   */
  static final class Load {
    final String prefix;
    final int objects;
    final List<HttpJson> gateways;
    final Map<String, ConcurrentLinkedQueue<Long>> acked = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicLong sent = new AtomicLong();
    final AtomicBoolean running = new AtomicBoolean(true);
    final ExecutorService pool;
    final List<Future<?>> workers = new ArrayList<>();
    final long start = System.nanoTime();
    volatile long end;

    Load(String prefix, int objects, List<HttpJson> gateways, int threads, int perSecond) {
      this.prefix = prefix;
      this.objects = objects;
      this.gateways = gateways;
      this.pool = Executors.newFixedThreadPool(threads);
      long intervalNanos = TimeUnit.SECONDS.toNanos(1) * threads / perSecond;
      for (int t = 0; t < threads; t++) {
        int first = t;
        workers.add(pool.submit(() -> run(first, intervalNanos)));
      }
    }

    private Void run(int thread, long intervalNanos) throws InterruptedException {
      int g = thread;
      long next = System.nanoTime();
      while (running.get()) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        next += intervalNanos;
        String name = prefix + ThreadLocalRandom.current().nextInt(objects);
        sent.incrementAndGet();
        String outcome = null;
        for (int attempt = 1; attempt <= 6; attempt++) {
          outcome = attempt(gateways.get(Math.floorMod(g++, gateways.size())), name);
          if (outcome == null || !outcome.startsWith("retry: ")) {
            break;
          }
          retries.incrementAndGet();
          Thread.sleep(50L << Math.min(attempt, 5)); // the load client's retry backoff
        }
        if (outcome != null) {
          failures.add(java.time.LocalTime.now() + " " + name + ": " + outcome);
        }
      }
      return null;
    }

    /** Null on success; "retry: ..." when the object did not see the request; else a failure. */
    private String attempt(HttpJson http, String name) {
      try {
        HttpJson.Answer a = http.post("/counter/" + name + "/increment");
        if (a.status() == 200) {
          acked.computeIfAbsent(name, k -> new ConcurrentLinkedQueue<>()).add(a.value());
          return null;
        }
        if (a.status() == 503 && a.body().contains("\"shutting_down\"")) {
          return "retry: " + a;
        }
        return a.toString();
      } catch (ConnectException e) {
        return "retry: " + e;
      } catch (IOException e) {
        return e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }

    int ackedCount() {
      return acked.values().stream().mapToInt(ConcurrentLinkedQueue::size).sum();
    }

    long sent() {
      return sent.get();
    }

    Duration elapsed() {
      return Duration.ofNanos((end == 0 ? System.nanoTime() : end) - start);
    }

    void stop() throws Exception {
      running.set(false);
      for (Future<?> f : workers) {
        f.get(60, TimeUnit.SECONDS);
      }
      end = System.nanoTime();
      pool.shutdownNow();
    }
  }
}

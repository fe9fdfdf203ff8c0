package io.duro.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DurableObjectId;
import io.duro.api.InvalidArgumentException;
import io.duro.api.Namespace;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.runtime.Application;
import io.duro.runtime.ObjectBinding;
import io.duro.runtime.placement.ShardRegions;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Placement near callers on three nodes in one JVM sharing one journal: node 0 in region "a",
 * nodes 1 and 2 in region "b". Where an object runs is read from the {@code Duro-Node} and {@code
 * Duro-Region} headers of its responses.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementTest {

  private static final Application APP =
      new Application(List.of(ObjectBinding.of("probe", ClockProbe.class)), Map.of());
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Path dataDir;
  private static final List<TestNode> nodes = new ArrayList<>(List.of());

  @BeforeAll
  static void startCluster() throws Exception {
    dataDir = Files.createTempDirectory("duro-placement");
    startAll();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    stop(List.copyOf(nodes));
    nodes.clear();
  }

  private static void startAll() throws Exception {
    TestNode a = TestNode.start(dataDir, APP, settings("a", List.of()));
    nodes.add(a);
    CompletableFuture<TestNode> b1 = CompletableFuture.supplyAsync(() -> startB(a));
    CompletableFuture<TestNode> b2 = CompletableFuture.supplyAsync(() -> startB(a));
    nodes.add(b1.join());
    nodes.add(b2.join());
    awaitShardRegions(3);
  }

  /**
   * Waits until the shard coordinator knows {@code count} shard regions. A node is an Up member
   * (its start completed) a moment before its shard region has registered with the coordinator;
   * a shard allocated in that moment runs on a node of another region and moves home on the next
   * rebalance, which is the documented fallback, not what these tests are about.
   */
  private static void awaitShardRegions(int count) throws Exception {
    var server = nodes.get(0).server();
    ShardRegions.await(
        server.system(), server.runtime().application().bindings().get(0), count,
        Duration.ofSeconds(30));
  }



  private static TestNode startB(TestNode seed) {
    return TestNode.start(dataDir, APP, settings("b", List.of(seed.clusterAddress())));
  }

  private static Map<String, Object> settings(String region, List<String> seeds) {
    Map<String, Object> s = new HashMap<>();
    s.put("duro.region", region);
    s.put("pekko.cluster.seed-nodes", seeds);
    s.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    s.put("pekko.cluster.sharding.rebalance-interval", "1s");
    return s;
  }

  private static void stop(List<TestNode> which) throws Exception {
    List<CompletableFuture<?>> stopped = new ArrayList<>();
    which.forEach(n -> stopped.add(n.terminate().toCompletableFuture()));
    CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> post(int node, String path, String hint) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(nodes.get(node).uri(path))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (hint != null) {
      b.header("Duro-Location-Hint", hint);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The node address and region an object's response came from. */
  private static String where(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("Duro-Region").orElseThrow()
        + " "
        + r.headers().firstValue("Duro-Node").orElseThrow();
  }

  private static String hostPort(int node) {
    String address = nodes.get(node).clusterAddress(); // pekko://duro@127.0.0.1:1234
    return address.substring(address.indexOf('@') + 1);
  }

  private static Set<String> regionB() {
    return Set.of("b " + hostPort(1), "b " + hostPort(2));
  }

  @Test
  @Order(1)
  void objectFirstCalledThroughARegionBGatewayRunsOnARegionBNodeAndStaysThere() throws Exception {
    String first = where(post(1, "/probe/from-b/increment", null));
    assertTrue(regionB().contains(first), first + " is not a node of region b " + regionB());
    for (int node = 0; node < 3; node++) {
      assertEquals(first, where(post(node, "/probe/from-b/increment", null)), "via node " + node);
    }
  }

  @Test
  @Order(2)
  void objectFirstCalledThroughTheRegionAGatewayRunsOnTheRegionANode() throws Exception {
    assertEquals("a " + hostPort(0), where(post(0, "/probe/from-a/increment", null)));
    assertEquals("a " + hostPort(0), where(post(2, "/probe/from-a/increment", null)));
  }

  @Test
  @Order(3)
  void locationHintPlacesANewObjectInTheNamedRegion() throws Exception {
    String viaHeader = where(post(0, "/probe/hinted/increment", "b"));
    assertTrue(regionB().contains(viaHeader), viaHeader);
    // The hint counts only for a new object: a later hint does not move it.
    assertEquals(viaHeader, where(post(1, "/probe/hinted/increment", "a")));

    Namespace ns = nodes.get(0).namespace("probe");
    DurableObjectId id = ns.newUniqueId();
    Response r =
        ns.get(id, "b").fetch(Request.post("/increment", "")).toCompletableFuture().get(60,
            TimeUnit.SECONDS);
    assertEquals(200, r.status());
    assertEquals("b", r.headers().first("Duro-Region").orElseThrow());
  }

  @Test
  @Order(4)
  void malformedOrUnknownLocationHintsAreRefusedNamingTheHint() throws Exception {
    HttpResponse<String> malformed = post(0, "/probe/bad-hint/increment", "EU_West");
    assertEquals(400, malformed.statusCode(), malformed.body());
    assertTrue(malformed.body().contains("EU_West"), malformed.body());
    HttpResponse<String> unknown = post(0, "/probe/bad-hint/increment", "mars");
    assertEquals(400, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("'mars'"), unknown.body());
    assertTrue(unknown.body().contains("[a, b]"), unknown.body());

    Namespace ns = nodes.get(0).namespace("probe");
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> ns.get(ns.idFromName("x"), "mars"));
    assertTrue(e.getMessage().contains("'mars'"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> ns.get(ns.idFromName("x"), null));
    // The refused calls placed nothing: the object still goes where its first real call is.
    assertEquals("a " + hostPort(0), where(post(0, "/probe/bad-hint/increment", null)));
  }

  @Test
  @Order(5)
  void placementSurvivesARestartOfAllNodes() throws Exception {
    stop(List.copyOf(nodes));
    nodes.clear();
    startAll();
    // Each is now called first through a gateway of the other region: the record decides.
    HttpResponse<String> fromB = post(0, "/probe/from-b/increment", null);
    assertTrue(regionB().contains(where(fromB)), where(fromB));
    assertTrue(fromB.body().contains("\"count\":5"), fromB.body());
    assertEquals("a " + hostPort(0), where(post(1, "/probe/from-a/increment", null)));
  }

  @Test
  @Order(6)
  void objectOfARegionWithoutNodesIsServedElsewhereAndReturnsWhenTheRegionIsBack()
      throws Exception {
    stop(List.copyOf(nodes.subList(1, 3)));
    nodes.subList(1, 3).clear();
    HttpResponse<String> away = post(0, "/probe/from-b/increment", null);
    assertEquals("a " + hostPort(0), where(away));
    assertTrue(away.body().contains("\"count\":6"), away.body());

    CompletableFuture<TestNode> b1 = CompletableFuture.supplyAsync(() -> startB(nodes.get(0)));
    CompletableFuture<TestNode> b2 = CompletableFuture.supplyAsync(() -> startB(nodes.get(0)));
    nodes.add(b1.join());
    nodes.add(b2.join());
    awaitShardRegions(3);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String now = where(post(0, "/probe/from-b/increment", null));
    int count = 7; // 4 calls in test 1, one after the restart, one away, this one
    while (!regionB().contains(now)) {
      assertTrue(System.nanoTime() < deadline, "still on " + now + " 30 s after region b is back");
      Thread.sleep(250); // the poll interval of an awaited condition
      now = where(post(0, "/probe/from-b/increment", null));
      count++;
    }
    HttpResponse<String> home = post(2, "/probe/from-b/increment", null);
    assertEquals(now, where(home));
    assertTrue(home.body().contains("\"count\":" + (count + 1)), home.body());
  }
}

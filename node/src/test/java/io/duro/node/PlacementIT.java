package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Placement near callers with real node processes on one fresh PostgreSQL database: node A in
 * region {@code eu}, node B in region {@code us}. Where an object runs is read from the {@code
 * Duro-Region} and {@code Duro-Node} headers of its answers. One cluster serves the class, in
 * order: placement by the first gateway and by a location hint, then a restart of both nodes
 * (objects first called through the other region's gateway), then A stopped (its objects are
 * served by B) and started again (they return to A).
 */
@Tag("process")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementIT {

  static final int A = 0;
  static final int B = 1;
  static final String[] REGIONS = {"eu", "us"};

  Path temp;
  PostgresDatabase db;
  Path config;
  final int[] ports = {NodeProcess.freePort(), NodeProcess.freePort()};
  final int[] clusterPorts = {NodeProcess.freePort(), NodeProcess.freePort()};
  final NodeProcess[] nodes = new NodeProcess[2];
  /** Increments acknowledged so far, per object. */
  final Map<String, Long> counts = new HashMap<>();

  @BeforeAll
  void startBothNodes() throws Exception {
    temp = Files.createTempDirectory("duro-placement-it");
    db = PostgresDatabase.create();
    // Rebalance rounds every 2 s instead of 10 s: the return home is seen sooner.
    config = db.configFile(temp, "pekko.cluster.sharding.rebalance-interval = 2s");
    startBoth();
  }

  @AfterAll
  void stopNodesAndDropTheDatabase() throws Exception {
    for (NodeProcess n : nodes) {
      if (n != null) {
        n.close();
      }
    }
    if (db != null) {
      db.close();
    }
    if (temp != null) {
      try (var files = Files.walk(temp)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Starts node {@code i}. Both nodes are seeds, so that either one restarted alone joins the
   * other instead of forming a cluster of its own.
   */
  private NodeProcess launch(int i) throws Exception {
    return NodeProcess.launch(
        temp,
        REGIONS[i] + "-" + System.nanoTime(),
        ports[i],
        List.of(
            "--port", "" + ports[i],
            "--config", config.toString(),
            "--data-dir", temp.resolve("data" + i).toString(),
            "--region", REGIONS[i],
            "--cluster-port", "" + clusterPorts[i],
            "--management-port", "" + NodeProcess.freePort(),
            "--seed", "127.0.0.1:" + clusterPorts[A],
            "--seed", "127.0.0.1:" + clusterPorts[B]));
  }

  private void startBoth() throws Exception {
    nodes[A] = launch(A);
    nodes[B] = launch(B);
    nodes[A].awaitHealthy();
    nodes[B].awaitHealthy();
    nodes[A].awaitUpMembers(2);
    nodes[B].awaitUpMembers(2);
  }

  /** SIGTERM to both at once, then waits for both to exit. */
  private void stopBoth() throws Exception {
    nodes[A].terminate();
    nodes[B].terminate();
    awaitGracefulExit(A);
    awaitGracefulExit(B);
  }

  /** Waits for a node sent SIGTERM to exit with 143, the JVM's code after a SIGTERM. */
  private void awaitGracefulExit(int node) throws Exception {
    int code = nodes[node].awaitExit(Duration.ofSeconds(60));
    assertEquals(143, code, REGIONS[node] + " node's exit code: " + nodes[node].logs());
  }

  /** What the answers of a node say: {@code <region> 127.0.0.1:<cluster port>}. */
  private String home(int node) {
    return REGIONS[node] + " 127.0.0.1:" + clusterPorts[node];
  }

  /** Where an answer was made: its Duro-Region and Duro-Node headers. */
  private static String where(HttpJson.Answer answer) {
    assertEquals(200, answer.status(), answer.toString());
    return answer.raw().headers().firstValue("Duro-Region").orElse("(no Duro-Region)")
        + " "
        + answer.raw().headers().firstValue("Duro-Node").orElse("(no Duro-Node)");
  }

  /**
   * Increments an object through a gateway (with extra request headers), checks that the count
   * went up by exactly one, and returns where the object ran.
   */
  private String increment(int via, String name, String... headers) throws Exception {
    HttpJson http = new HttpJson(ports[via], Duration.ofSeconds(60));
    HttpJson.Answer answer = http.post("/counter/" + name + "/increment", headers);
    String where = where(answer);
    long expected = counts.merge(name, 1L, Long::sum);
    assertEquals(expected, answer.value(), name + ": the count after an increment via " + via);
    return where;
  }

  @Test
  @Order(1)
  void objectFirstCalledThroughTheEuGatewayLivesOnTheEuNodeWhicheverGatewayCalls()
      throws Exception {
    assertEquals(home(A), increment(A, "first-via-eu"));
    assertEquals(home(A), increment(B, "first-via-eu"));
    assertEquals(home(A), increment(A, "first-via-eu"));
  }

  @Test
  @Order(2)
  void objectFirstCalledThroughTheUsGatewayLivesOnTheUsNodeWhicheverGatewayCalls()
      throws Exception {
    assertEquals(home(B), increment(B, "first-via-us"));
    assertEquals(home(B), increment(A, "first-via-us"));
    assertEquals(home(B), increment(B, "first-via-us"));
  }

  @Test
  @Order(3)
  void locationHintEuSentThroughTheUsGatewayPlacesANewObjectOnTheEuNode() throws Exception {
    assertEquals(home(A), increment(B, "hinted-eu", "Duro-Location-Hint", "eu"));
    assertEquals(home(A), increment(B, "hinted-eu"));
    // A hint counts only for a new object: a later one does not move it.
    assertEquals(home(A), increment(B, "hinted-eu", "Duro-Location-Hint", "us"));
    assertEquals(home(A), increment(A, "hinted-eu"));
  }

  @Test
  @Order(4)
  void placementAndCountsSurviveARestartOfBothNodes() throws Exception {
    stopBoth();
    startBoth();
    // Each object is called first through the gateway of the other region: the record decides.
    assertEquals(home(A), increment(B, "first-via-eu"));
    assertEquals(home(B), increment(A, "first-via-us"));
    assertEquals(home(A), increment(B, "hinted-eu"));
    assertEquals(home(A), increment(A, "first-via-eu"));
    assertEquals(home(B), increment(B, "first-via-us"));
  }

  @Test
  @Order(5)
  void objectsOfTheStoppedEuNodeAreServedByTheUsNodeAndReturnWhenItIsBack() throws Exception {
    nodes[A].terminate();
    awaitGracefulExit(A);
    nodes[B].awaitUpMembers(1);
    // No eu node: the eu objects run on B, with their counts; the first call after the
    // hand-over already succeeds.
    assertEquals(home(B), increment(B, "first-via-eu"));
    assertEquals(home(B), increment(B, "hinted-eu"));
    assertEquals(home(B), increment(B, "first-via-us"));

    nodes[A] = launch(A);
    nodes[A].awaitHealthy();
    nodes[B].awaitUpMembers(2);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (String name : List.of("first-via-eu", "hinted-eu")) {
      String now = increment(B, name);
      while (!now.equals(home(A))) {
        assertEquals(home(B), now, name + " ran neither on A nor on B");
        assertTrue(
            System.nanoTime() < deadline, name + " still on " + now + " 60 s after A is back");
        Thread.sleep(500); // the poll interval of an awaited condition
        now = increment(B, name);
      }
    }
    assertEquals(home(A), increment(A, "first-via-eu"));
    assertEquals(home(A), increment(A, "hinted-eu"));
    assertEquals(home(B), increment(A, "first-via-us"));
  }
}

package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that cannot take its place in a cluster stops within a bounded time with a message
 * naming the cause: a wrong PostgreSQL URL, an Artery port in use, seed nodes nobody answers at.
 */
@Tag("process")
class ClusterStartFailuresIT {

  /**
   * The node's own waits are bounded by 10 s (PostgreSQL login) and duro.cluster.join-timeout;
   * the rest is JVM start-up, which takes 10-20 s when the 2-core machine is busy.
   */
  static final Duration BOUND = Duration.ofSeconds(45);

  @TempDir Path temp;

  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void killStartedNodes() {
    started.forEach(NodeProcess::close);
  }

  private NodeProcess launch(String name, String... args) throws Exception {
    int port = NodeProcess.freePort();
    List<String> argv = new ArrayList<>(List.of("--port", "" + port));
    argv.addAll(List.of(args));
    NodeProcess node = NodeProcess.launch(temp, name, port, argv);
    started.add(node);
    return node;
  }

  private Path config(String text) throws Exception {
    return Files.writeString(Files.createTempFile(temp, "node-", ".conf"), text);
  }

  @Test
  void nodeWithAWrongPostgresUrlExitsWithinThirtySecondsNamingTheDatabase() throws Exception {
    String overlay = Files.readString(PostgresDatabase.OVERLAY);
    Path conf =
        config(
            overlay
                + "\npekko-persistence-jdbc.shared-databases.duro.db.url ="
                + " \"jdbc:postgresql://127.0.0.1:5432/duro_no_such_database\"\n"
                + "pekko-persistence-jdbc.shared-databases.duro.db.user = postgres\n");
    long t0 = System.nanoTime();
    NodeProcess node = launch("wrong-url", "--config", conf.toString());
    assertEquals(1, node.awaitExit(BOUND), node.logs());
    String err = node.stderr();
    assertTrue(err.contains("the journal cannot be opened"), err);
    assertTrue(err.contains("duro_no_such_database"), err);
    assertTrue(!err.contains("data directory"), "no H2 data-directory advice: " + err);
    System.out.printf(
        "wrong PostgreSQL URL: exit %d ms after launch%n", (System.nanoTime() - t0) / 1_000_000);
  }

  @Test
  void secondNodeOnAnArteryPortInUseFailsNamingTheAddress() throws Exception {
    int artery = NodeProcess.freePort();
    NodeProcess first =
        launch(
            "artery-owner", "--data-dir", temp.resolve("a").toString(),
            "--cluster-port", "" + artery);
    first.awaitHealthy();
    NodeProcess second =
        launch(
            "artery-intruder", "--data-dir", temp.resolve("b").toString(),
            "--cluster-port", "" + artery);
    assertEquals(1, second.awaitExit(BOUND), second.logs());
    String err = second.stderr();
    assertTrue(err.contains("duro-node: cannot start"), err);
    assertTrue(err.contains("" + artery), "names the port: " + err);
  }

  @Test
  void nodeWhoseSeedsDoNotAnswerGivesUpAfterTheJoinTimeoutNamingThem() throws Exception {
    int nobody = NodeProcess.freePort();
    Path conf = config("duro.cluster.join-timeout = 5s\n");
    NodeProcess node =
        launch(
            "lonely", "--config", conf.toString(), "--data-dir", temp.resolve("c").toString(),
            "--seed", "127.0.0.1:" + nobody);
    assertEquals(1, node.awaitExit(BOUND), node.logs());
    String err = node.stderr();
    assertTrue(err.contains("did not join its cluster within 5 s"), err);
    assertTrue(err.contains("127.0.0.1:" + nobody), err);
  }
}

package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A node refuses a data directory it cannot trust — corrupt journal, a file in its place, a
 * journal that went missing — with a message naming it, and never serves from it; a good one
 * keeps its data across a normal restart.
 */
@Tag("process")
class DataDirectoryIT {

  private static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path temp;

  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void killStartedNodes() {
    started.forEach(NodeProcess::close);
  }

  private NodeProcess launch(String name, Path dataDir) throws Exception {
    int port = NodeProcess.freePort();
    NodeProcess node =
        NodeProcess.launch(
            temp, name, port, List.of("--port", "" + port, "--data-dir", dataDir.toString()));
    started.add(node);
    return node;
  }

  /** Waits for the node to exit, checking all along that it never answers a request. */
  private int exitWithoutServing(NodeProcess node) throws Exception {
    HttpJson http = node.http();
    long deadline = System.nanoTime() + REFUSAL_TIMEOUT.toNanos();
    while (node.process().isAlive() && System.nanoTime() < deadline) {
      int status = http.statusOrMinusOne("/_duro/health");
      assertEquals(-1, status, "the node answered a request from a bad data dir: " + node.logs());
      Thread.sleep(200); // the poll interval of an awaited condition
    }
    return node.awaitExit(Duration.ofSeconds(1));
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT) // side by side: refusals mostly wait (~45 s when corrupt)
  void corruptJournalFileStopsTheNodeWithAMessageNamingIt() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("data"));
    byte[] garbage = new byte[64 * 1024];
    new Random(42).nextBytes(garbage);
    Files.write(dir.resolve("duro.mv.db"), garbage);

    NodeProcess node = launch("corrupt", dir);
    long t0 = System.nanoTime();
    int exit = exitWithoutServing(node);
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

    assertNotEquals(0, exit, node.logs());
    String err = node.stderr();
    assertTrue(err.contains(dir.toString()), "names the data directory: " + node.logs());
    assertTrue(err.contains("journal"), "names the journal: " + node.logs());
    assertTrue(err.contains("duro.mv.db"), "names the corrupt file: " + node.logs());
    assertTrue(seconds < 60, "took " + seconds + " s");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT) // side by side: refusals mostly wait (~45 s when corrupt)
  void dataDirThatIsARegularFileStopsTheNodeWithAMessageNamingIt() throws Exception {
    Path file = Files.writeString(temp.resolve("not-a-dir"), "hello");

    NodeProcess node = launch("file", file);
    int exit = exitWithoutServing(node);

    assertNotEquals(0, exit, node.logs());
    String err = node.stderr();
    assertTrue(err.contains(file.toString()), "names the path: " + node.logs());
    assertTrue(err.contains("not a directory"), node.logs());
    assertEquals("hello", Files.readString(file), "the file was left alone");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT) // side by side: refusals mostly wait (~45 s when corrupt)
  void markerWithoutDatabaseFileStopsTheNodeInsteadOfStartingEmpty() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("data"));
    Files.writeString(dir.resolve("duro-node.json"), "{\"journal\":\"duro.mv.db\"}\n");

    NodeProcess node = launch("marker", dir);
    int exit = exitWithoutServing(node);

    assertNotEquals(0, exit, node.logs());
    String err = node.stderr();
    assertTrue(err.contains(dir.toString()), "names the data directory: " + node.logs());
    assertTrue(err.contains("duro.mv.db") && err.contains("missing"), node.logs());
    assertTrue(err.contains("duro-node.json"), "says which file to remove: " + node.logs());
    assertTrue(Files.notExists(dir.resolve("duro.mv.db")), "no empty journal was created");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT) // side by side: refusals mostly wait (~45 s when corrupt)
  void secondNodeOnALockedDataDirStopsWithAMessageNamingTheLockedFile() throws Exception {
    Path dir = temp.resolve("data");
    NodeProcess first = NodeProcess.start(temp, "owner", dir);
    started.add(first);
    assertEquals(1, first.http().post("/counter/lock/increment").value());

    NodeProcess second = launch("intruder", dir);
    int exit = exitWithoutServing(second);

    assertNotEquals(0, exit, second.logs());
    String err = second.stderr();
    assertTrue(err.contains(dir.toString()), "names the data directory: " + second.logs());
    assertTrue(err.contains("duro.mv.db") && err.contains("locked"), second.logs());
    assertEquals(2, first.http().post("/counter/lock/increment").value(), "the owner still serves");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT) // side by side: refusals mostly wait (~45 s when corrupt)
  void firstStartWritesTheMarkerAndCounterSurvivesANormalRestart() throws Exception {
    Path dir = temp.resolve("data");
    NodeProcess first = NodeProcess.start(temp, "first", dir);
    started.add(first);
    first.awaitStdout("serving on http://localhost:" + first.port(), Duration.ofSeconds(10));
    assertTrue(Files.exists(dir.resolve("duro-node.json")), "marker written after first start");
    HttpJson http = first.http();
    for (int i = 1; i <= 5; i++) {
      assertEquals(i, http.post("/counter/restart/increment").value());
    }

    first.process().destroy(); // SIGTERM: coordinated shutdown
    first.awaitExit(Duration.ofSeconds(30));

    NodeProcess second = NodeProcess.start(temp, "second", dir);
    started.add(second);
    assertEquals(5, second.http().get("/counter/restart").value(), second.logs());
    assertEquals(6, second.http().post("/counter/restart/increment").value());
  }
}

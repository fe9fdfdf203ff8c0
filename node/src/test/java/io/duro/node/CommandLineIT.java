package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exit codes and messages of {@code java -jar duro-node.jar} for good and bad flags. */
@Tag("process")
class CommandLineIT {

  @TempDir Path temp;

  @Test
  void helpPrintsEveryFlagAndExitsZero() throws Exception {
    try (NodeProcess node = NodeProcess.launch(temp, "help", -1, List.of("--help"))) {
      assertEquals(0, node.awaitExit(Duration.ofSeconds(30)), node.logs());
      for (String flag : List.of("--port", "--data-dir", "--config", "--region", "--help")) {
        assertTrue(node.stdout().contains(flag), flag + " missing from --help: " + node.logs());
      }
    }
  }

  @Test
  void portAlreadyInUseExitsNonZeroWithAMessageNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0);
        NodeProcess node =
            NodeProcess.launch(
                temp,
                "taken",
                taken.getLocalPort(),
                List.of(
                    "--port", "" + taken.getLocalPort(),
                    "--data-dir", temp.resolve("data").toString()))) {
      assertNotEquals(0, node.awaitExit(Duration.ofSeconds(60)), node.logs());
      String err = node.stderr();
      assertTrue(err.contains(":" + taken.getLocalPort()), "names the port: " + node.logs());
      assertTrue(err.contains("in use"), node.logs());
    }
  }

  @ParameterizedTest(name = "{0} exits 2 naming {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--verbose    | --verbose",
        "--port abc   | abc",
        "--port 70000 | 70000",
        "--port       | --port needs a value",
      })
  void badFlagExitsTwoWithAMessageNamingTheProblem(String args, String named) throws Exception {
    List<String> argv = List.of(args.split(" +"));
    try (NodeProcess node = NodeProcess.launch(temp, "bad", -1, argv)) {
      assertEquals(2, node.awaitExit(Duration.ofSeconds(30)), node.logs());
      String err = node.stderr();
      assertTrue(err.contains(named), "stderr does not name '" + named + "': " + node.logs());
      assertTrue(err.contains("--help"), "stderr points to --help: " + node.logs());
    }
  }
}

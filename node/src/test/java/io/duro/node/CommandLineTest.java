package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CommandLine#parse}: the flags of DESIGN §9 and a message naming every bad one. */
class CommandLineTest {

  @TempDir Path temp;

  private static String failure(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(List.of(args)))
        .getMessage();
  }

  @Test
  void noFlagsMeanPort8080FromConfigAndDataInDuroData() {
    CommandLine cli = CommandLine.parse(List.of());
    assertEquals(Optional.empty(), cli.port());
    assertEquals(Optional.empty(), cli.dataDir());
    assertEquals(Optional.empty(), cli.configFile());
    assertEquals(Optional.empty(), cli.region());
    assertFalse(cli.help());
  }

  @Test
  void everyFlagIsParsedWithASeparateValue() throws IOException {
    Path conf = Files.writeString(temp.resolve("node.conf"), "duro.region = x\n");
    CommandLine cli =
        CommandLine.parse(
            List.of(
                "--port", "9090", "--data-dir", "/var/lib/duro", "--config", conf.toString(),
                "--region", "eu-west-1"));
    assertEquals(Optional.of(9090), cli.port());
    assertEquals(Optional.of(Path.of("/var/lib/duro")), cli.dataDir());
    assertEquals(Optional.of(conf), cli.configFile());
    assertEquals(Optional.of("eu-west-1"), cli.region());
  }

  @Test
  void flagsAcceptAnInlineValueAfterAnEqualsSign() {
    CommandLine cli = CommandLine.parse(List.of("--port=0", "--data-dir=d", "--region=r1"));
    assertEquals(Optional.of(0), cli.port());
    assertEquals(Optional.of(Path.of("d")), cli.dataDir());
    assertEquals(Optional.of("r1"), cli.region());
  }

  @Test
  void helpIsRecognizedAlsoAsDashH() {
    assertTrue(CommandLine.parse(List.of("--help")).help());
    assertTrue(CommandLine.parse(List.of("-h")).help());
  }

  @Test
  void usageNamesEveryFlag() {
    for (String flag :
        List.of(
            "--port", "--data-dir", "--config", "--region", "--help", "--seed", "--cluster-host",
            "--cluster-port", "--management-port")) {
      assertTrue(CommandLine.USAGE.contains(flag), flag + " is missing from the usage text");
    }
  }

  @Test
  void unknownFlagIsRejectedByName() {
    assertTrue(failure("--verbose").contains("--verbose"));
    assertTrue(failure("--port", "1", "stray").contains("stray"));
  }

  @Test
  void portThatIsNotANumberIsRejectedWithTheValue() {
    String message = failure("--port", "abc");
    assertTrue(message.contains("--port") && message.contains("abc"), message);
  }

  @Test
  void portOutOfRangeIsRejectedWithTheValue() {
    String message = failure("--port", "70000");
    assertTrue(message.contains("--port") && message.contains("70000"), message);
    assertTrue(failure("--port", "-1").contains("-1"));
    assertTrue(failure("--port=65536").contains("65536"));
  }

  @Test
  void portWithoutValueIsRejected() {
    assertTrue(failure("--port").contains("--port needs a value"));
    assertTrue(failure("--port", "--data-dir", "d").contains("--port needs a value"));
  }

  @Test
  void dataDirWithoutOrWithEmptyValueIsRejected() {
    assertTrue(failure("--data-dir").contains("--data-dir"));
    assertTrue(failure("--data-dir=").contains("--data-dir"));
  }

  @Test
  void configFileThatDoesNotExistIsRejectedWithItsPath() {
    Path missing = temp.resolve("missing.conf");
    String message = failure("--config", missing.toString());
    assertTrue(message.contains(missing.toString()), message);
  }

  @Test
  void regionWithUppercaseOrSpacesIsRejectedWithTheValue() {
    assertTrue(failure("--region", "EU West").contains("EU West"));
  }

  @Test
  void appAndManifestAreParsedWhenTheFilesExist() throws IOException {
    Path jar = Files.writeString(temp.resolve("my-app.jar"), "");
    Path manifest = Files.writeString(temp.resolve("duro.json"), "{}");
    assertEquals(Optional.of(jar), CommandLine.parse(List.of("--app", jar.toString())).app());
    assertEquals(
        Optional.of(manifest), CommandLine.parse(List.of("--manifest=" + manifest)).manifest());
    CommandLine none = CommandLine.parse(List.of());
    assertEquals(Optional.empty(), none.app());
    assertEquals(Optional.empty(), none.manifest());
  }

  @Test
  void missingAppJarOrManifestFileIsRejectedWithThePath() {
    String app = failure("--app", temp.resolve("nope.jar").toString());
    assertTrue(app.contains("--app") && app.contains("nope.jar"), app);
    String manifest = failure("--manifest", temp.resolve("nope.json").toString());
    assertTrue(manifest.contains("--manifest") && manifest.contains("nope.json"), manifest);
  }

  @Test
  void appAndManifestTogetherAreRejected() throws IOException {
    Path jar = Files.writeString(temp.resolve("a.jar"), "");
    Path manifest = Files.writeString(temp.resolve("duro.json"), "{}");
    String message = failure("--app", jar.toString(), "--manifest", manifest.toString());
    assertTrue(message.contains("cannot be used together"), message);
  }

  @Test
  void usageNamesAppAndManifest() {
    assertTrue(CommandLine.USAGE.contains("--app JAR"));
    assertTrue(CommandLine.USAGE.contains("--manifest FILE"));
  }

  @Test
  void clusterFlagsBecomeSeedNodesArteryAddressAndManagementPort() {
    CommandLine cli =
        CommandLine.parse(
            List.of(
                "--seed", "10.0.0.1:25520", "--seed=node2:25520", "--cluster-host", "10.0.0.3",
                "--cluster-port=25521", "--management-port", "8600"));
    assertEquals(List.of("10.0.0.1:25520", "node2:25520"), cli.seeds());
    com.typesafe.config.Config overlay = Main.overlay(cli);
    assertEquals(
        List.of("pekko://duro@10.0.0.1:25520", "pekko://duro@node2:25520"),
        overlay.getStringList("pekko.cluster.seed-nodes"));
    assertEquals("10.0.0.3", overlay.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(25521, overlay.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(8600, overlay.getInt("duro.management.port"));
    assertTrue(overlay.getBoolean("duro.management.enabled"), "the node serves management");
  }

  @Test
  void seedWithoutAPortOrWithABadPortIsRejectedWithTheValue() {
    assertTrue(failure("--seed", "node1").contains("'node1'"));
    assertTrue(failure("--seed", "node1:0").contains("HOST:PORT"));
    assertTrue(failure("--seed", "node1:99999").contains("99999"));
    assertTrue(failure("--cluster-port", "x").contains("--cluster-port"));
    assertTrue(failure("--cluster-host", "h:25520").contains("no port"));
  }
}

package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import io.duro.server.DuroConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The files in {@code deploy/} are consistent with the node (docker cannot run here, so this is
 * what "checked for validity" means): the compose file parses and describes PostgreSQL plus three
 * nodes that agree on a seed; every command line in it and in the Dockerfile is accepted by the
 * node's parser; the Dockerfile copies the jar the build produces; the config overlays resolve to
 * a PostgreSQL journal; the local cluster script is valid bash.
 */
class DeployFilesTest {

  static final Path DEPLOY = Path.of("../deploy");

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  @Test
  void composeFileDescribesPostgresAndThreeNodesThatJoinOneSeed() throws Exception {
    JsonNode compose =
        new ObjectMapper(new YAMLFactory()).readTree(DEPLOY.resolve("docker-compose.yml").toFile());
    JsonNode services = compose.get("services");
    assertTrue(services.has("postgres"), "a postgres service");
    Set<String> hostPorts = new HashSet<>();
    for (String node : List.of("node1", "node2", "node3")) {
      JsonNode service = services.get(node);
      assertTrue(service != null, "service " + node);
      List<String> command = strings(service.get("command"));
      CommandLine cli = CommandLine.parse(command);
      assertEquals(List.of("node1:25520"), cli.seeds(), node + " joins node1");
      assertEquals(node, cli.clusterHost().orElseThrow(), node + " is reached by its name");
      assertEquals(
          "jdbc:postgresql://postgres:5432/duro",
          service.get("environment").get("DURO_DB_URL").asText(),
          node + " uses the postgres service");
      assertEquals("duro-node", service.get("image").asText());
      for (JsonNode port : service.get("ports")) {
        assertTrue(hostPorts.add(port.asText().split(":")[0]), "host port used twice: " + port);
      }
    }
  }

  @Test
  void dockerfileBuildsTheShadedJarInOneStageAndRunsItAsNonRootInAnother() throws Exception {
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    List<String> stages = new ArrayList<>();
    Pattern.compile("(?m)^FROM .*$")
        .matcher(dockerfile)
        .results()
        .forEach(m -> stages.add(m.group()));
    assertEquals(2, stages.size(), "a build stage and a run stage: " + stages);
    assertTrue(stages.get(0).endsWith(" AS build"), stages.get(0));
    assertTrue(
        dockerfile.contains("RUN mvn -B -q -DskipTests package -pl node -am"),
        "the build stage builds the node's shaded jar");
    assertTrue(
        dockerfile.contains("COPY --from=build /src/node/target/duro-node.jar "), dockerfile);
    assertTrue(
        Files.readString(Path.of("pom.xml")).contains("<finalName>duro-node</finalName>"),
        "the shade plugin writes node/target/duro-node.jar");
    String run = dockerfile.substring(dockerfile.indexOf(stages.get(1)));
    Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(run);
    assertTrue(user.find(), "the run stage switches to a numeric user");
    assertTrue(Integer.parseInt(user.group(1)) > 0, "not root: " + user.group());
    assertTrue(run.indexOf("USER ") < run.indexOf("ENTRYPOINT"), "USER before ENTRYPOINT");
    Matcher copy = Pattern.compile("(?m)^COPY (.+) \\S+$").matcher(run);
    while (copy.find()) {
      if (copy.group(1).startsWith("--from=")) {
        continue; // copied from the build stage, checked above
      }
      for (String source : copy.group(1).split(" ")) {
        assertTrue(Files.isRegularFile(Path.of("..").resolve(source)), "COPY " + source);
      }
    }
    assertTrue(
        Files.readString(Path.of("../.dockerignore")).contains("**/target"),
        ".dockerignore keeps build output out of the build context");
    List<String> args = new ArrayList<>();
    for (String instruction : List.of("ENTRYPOINT", "CMD")) {
      Matcher m = Pattern.compile("(?m)^" + instruction + " \\[(.*)]$").matcher(dockerfile);
      assertTrue(m.find(), instruction);
      for (String quoted : m.group(1).split(",")) {
        args.add(quoted.trim().replaceAll("^\"|\"$", ""));
      }
    }
    int jar = args.indexOf("-jar");
    List<String> flags = new ArrayList<>(args.subList(jar + 2, args.size()));
    flags.set(flags.indexOf("--config") + 1, DEPLOY.resolve("docker.conf").toString());
    CommandLine cli = CommandLine.parse(flags);
    assertEquals(8558, cli.managementPort().orElseThrow());
  }

  @Test
  void containerConfigIncludesThePostgresOverlayAndReadsTheDatabaseFromTheEnvironment() {
    CommandLine cli =
        CommandLine.parse(List.of("--config", DEPLOY.resolve("docker.conf").toString()));
    Config config = DuroConfig.load(Main.overlay(cli));
    String db = "pekko-persistence-jdbc.shared-databases.duro";
    assertEquals("slick.jdbc.PostgresProfile$", config.getString(db + ".profile"));
    assertEquals("org.postgresql.Driver", config.getString(db + ".db.driver"));
    assertEquals(8, config.getInt(db + ".db.maxConnections"));
    assertEquals("0.0.0.0", config.getString("pekko.management.http.hostname"));
    assertTrue(config.getBoolean("duro.management.enabled"));
  }

  @Test
  void localClusterScriptIsValidBash() throws Exception {
    Process bash =
        new ProcessBuilder("bash", "-n", DEPLOY.resolve("local-cluster.sh").toString())
            .redirectErrorStream(true)
            .start();
    assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, bash.exitValue(), new String(bash.getInputStream().readAllBytes()));
  }
}

package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The steps of docs/first-object.md on the real node jar: the example project {@code
 * examples/hello-app} (built outside the node, against duro-api only) is packaged into a jar and
 * served with {@code --app}; its Worker routes to a Room that calls a Counter by typed RPC. Broken
 * jars and manifests stop the node at start with a message naming the problem.
 */
@Tag("process")
class HelloAppIT {

  @TempDir Path temp;

  private Path helloJar(String name, UnaryOperator<String> manifestEdit) throws Exception {
    return AppJar.build(
        AppJar.examplesDir().resolve("hello-app"), temp.resolve(name), manifestEdit);
  }

  private NodeProcess serve(String name, List<String> appArgs) throws Exception {
    int port = NodeProcess.freePort();
    List<String> args =
        new java.util.ArrayList<>(
            List.of("--port", "" + port, "--data-dir", temp.resolve(name + "-data").toString()));
    args.addAll(appArgs);
    NodeProcess node = NodeProcess.launch(temp, name, port, args);
    try {
      node.awaitHealthy();
    } catch (RuntimeException | Error e) {
      node.close();
      throw e;
    }
    return node;
  }

  private NodeProcess refused(String name, List<String> appArgs, int exitCode) throws Exception {
    NodeProcess node = NodeProcess.launch(temp, name, -1,
        concat(List.of("--port", "0", "--data-dir", temp.resolve(name + "-data").toString()),
            appArgs));
    assertEquals(exitCode, node.awaitExit(Duration.ofSeconds(60)), node.logs());
    return node;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Runs the curl commands of docs/first-object.md ("Call it") against the node serving the
   * example jar and compares each answer with the output the page shows.
   */
  @Test
  void curlStepsOfTheFirstObjectPageAnswerAsThePageShowsThenRoomsAndCountersStayApart()
      throws Exception {
    String doc = Files.readString(FirstObjectDocTest.DOC);
    String section = doc.substring(doc.indexOf("## 5. Call it"));
    section = section.substring(section.indexOf("```sh\n") + 6);
    section = section.substring(0, section.indexOf("```"));
    Path jar = helloJar("doc-app.jar", UnaryOperator.identity());
    try (NodeProcess node = serve("doc", List.of("--app", jar.toString()))) {
      List<String> lines = List.of(section.split("\n"));
      int steps = 0;
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).startsWith("$ curl ")) {
          continue;
        }
        StringBuilder expected = new StringBuilder();
        for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("$ "); j++) {
          expected.append(lines.get(j)).append('\n');
        }
        HttpJson.Answer answer = curl(node.http(), lines.get(i));
        assertEquals(expected.toString().strip(), answer.body().strip(), lines.get(i));
        steps++;
      }
      assertEquals(6, steps, "curl steps found on the page");

      // Beyond the page: another room has its own messages and counter.
      HttpJson http = node.http();
      HttpJson.Answer posted = http.send("POST", "/rooms/kitchen/messages", "elsewhere");
      assertEquals(1, posted.json().get("count").asLong(), posted.toString());
      JsonNode kitchen = http.get("/rooms/kitchen/messages").json();
      assertEquals("[\"elsewhere\"]", kitchen.get("messages").toString());
      assertEquals(2, http.get("/counters/lobby").json().get("value").asLong());
      assertEquals(1, http.get("/counters/kitchen").json().get("value").asLong());
      assertEquals(404, http.get("/rooms/kitchen/unknown").status());
      assertTrue(node.stdout().contains("Duro node serving"), node.logs());
    }
  }

  /** Runs {@code $ curl [-X M] URL [-d 'data']} as the page writes it. */
  private static HttpJson.Answer curl(HttpJson http, String line) throws Exception {
    List<String> words = new java.util.ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(line.substring(2));
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    String method = null;
    String data = null;
    String path = null;
    for (int i = 1; i < words.size(); i++) {
      switch (words.get(i)) {
        case "-X" -> method = words.get(++i);
        case "-d" -> data = words.get(++i);
        default -> path = words.get(i).substring("localhost:8080".length());
      }
    }
    if (method == null) {
      method = data == null ? "GET" : "POST";
    }
    return data == null
        ? http.send(method, path, java.net.http.HttpRequest.BodyPublishers.noBody())
        : http.send(method, path, data);
  }

  @Test
  void manifestFileServesClassesFromTheNodesClassPath() throws Exception {
    Path manifest =
        Files.writeString(
            temp.resolve("duro.json"),
            """
            {
              "name": "built-in-counter",
              "durable_objects": {
                "bindings": [{"name": "tally", "class_name": "io.duro.examples.Counter"}]
              },
              "migrations": [{"tag": "v1", "new_classes": ["io.duro.examples.Counter"]}]
            }
            """);
    try (NodeProcess node = serve("manifest", List.of("--manifest", manifest.toString()))) {
      assertEquals(1, node.http().post("/tally/a/increment").value());
      assertEquals(404, node.http().get("/counter/a").status()); // only what the manifest binds
    }
  }

  @Test
  void appJarNamingAMissingClassStopsTheNodeNamingTheFieldAndClass() throws Exception {
    Path jar =
        helloJar("bad.jar", json -> json.replace("\"com.example.hello.Counter\" }",
            "\"com.example.hello.Missing\" }")
            .replace("\"com.example.hello.Counter\"]", "\"com.example.hello.Missing\"]"));
    NodeProcess node = refused("missing-class", List.of("--app", jar.toString()), 1);
    assertTrue(
        node.stderr()
            .contains(
                "bad.jar!/duro.json: durable_objects.bindings[1].class_name:"
                    + " class com.example.hello.Missing not found in bad.jar"),
        node.logs());
  }

  @Test
  void appJarWithMalformedManifestStopsTheNode() throws Exception {
    Path jar = helloJar("broken.jar", json -> json.replace("\"vars\"", "\"vars\" ]"));
    NodeProcess node = refused("malformed", List.of("--app", jar.toString()), 1);
    assertTrue(node.stderr().contains("broken.jar!/duro.json: not valid JSON at line"),
        node.logs());
  }

  @Test
  void appJarWithAnUnknownFieldStopsTheNodeNamingIt() throws Exception {
    Path jar = helloJar("unknown.jar", json -> json.replace("\"vars\"", "\"variables\""));
    NodeProcess node = refused("unknown-field", List.of("--app", jar.toString()), 1);
    assertTrue(node.stderr().contains("variables: unknown field"), node.logs());
  }

  @Test
  void missingAppJarIsABadFlagValue() throws Exception {
    NodeProcess node =
        refused("no-jar", List.of("--app", temp.resolve("nope.jar").toString()), 2);
    assertTrue(node.stderr().contains("--app jar"), node.logs());
  }
}

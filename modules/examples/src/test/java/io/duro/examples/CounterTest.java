package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duro.testkit.TestNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CounterTest {

  @TempDir Path dataDir;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  HttpResponse<String> send(TestNode node, String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(node.uri(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void incrementReturnsTheNewValueAndTheValueSurvivesARestart() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("counter", Counter.class))) {
      assertEquals("{\"value\":1}", send(node, "POST", "/counter/a/increment").body());
      assertEquals("{\"value\":2}", send(node, "POST", "/counter/a/increment").body());
      assertEquals("{\"value\":2}", send(node, "GET", "/counter/a").body());
      assertEquals("{\"value\":0}", send(node, "GET", "/counter/b").body());
    }
    try (TestNode node = TestNode.start(dataDir, Map.of("counter", Counter.class))) {
      assertEquals("{\"value\":2}", send(node, "GET", "/counter/a").body());
    }
  }

  @Test
  void wrongMethodIs405WithAllowAndUnknownPathIs404() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("counter", Counter.class))) {
      HttpResponse<String> r = send(node, "GET", "/counter/a/increment");
      assertEquals(405, r.statusCode());
      assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
      assertEquals(404, send(node, "GET", "/counter/a/nope").statusCode());
      assertEquals("{\"value\":0}", send(node, "GET", "/counter/a").body());
    }
  }
}

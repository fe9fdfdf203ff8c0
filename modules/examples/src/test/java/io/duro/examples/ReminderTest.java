package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.TestNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReminderTest {

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
  void scheduledReminderIsListedByTheAdminApiThenFiresOnce() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("reminder", Reminder.class))) {
      String id = node.namespace("reminder").idFromName("tea").toString();
      HttpResponse<String> scheduled = send(node, "POST", "/reminder/tea/schedule?in=1500");
      assertEquals(200, scheduled.statusCode(), scheduled.body());
      String alarms = send(node, "GET", "/_duro/alarms?limit=10").body();
      assertTrue(alarms.contains("\"object\":\"" + id + "\""), alarms);
      assertTrue(alarms.contains("\"binding\":\"reminder\""), alarms);
      long deadline = System.currentTimeMillis() + 15_000;
      String status = "";
      while (System.currentTimeMillis() < deadline) {
        status = send(node, "GET", "/reminder/tea").body();
        if (status.contains("\"fired\":1")) {
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(status.contains("\"alarm\":null,\"fired\":1"), status);
      Thread.sleep(1000);
      assertTrue(send(node, "GET", "/reminder/tea").body().contains("\"fired\":1"));
      assertTrue(!send(node, "GET", "/_duro/alarms").body().contains(id), "index row removed");
    }
  }

  @Test
  void badDelaysAndBadAdminQueriesAre400() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("reminder", Reminder.class))) {
      for (String path :
          new String[] {
            "/reminder/r/schedule", "/reminder/r/schedule?in=abc", "/reminder/r/schedule?in=-5",
            "/reminder/r/schedule?in=999999999999999999"
          }) {
        HttpResponse<String> r = send(node, "POST", path);
        assertEquals(400, r.statusCode(), path + " " + r.body());
        assertTrue(r.body().startsWith("{\"error\":\"invalid_argument\""), r.body());
      }
      assertEquals("{\"alarm\":null,\"fired\":0,\"runs\":[]}", send(node, "GET", "/reminder/r").body());
      assertEquals(400, send(node, "GET", "/_duro/alarms?limit=0").statusCode());
      assertEquals(400, send(node, "GET", "/_duro/alarms?due_before=yesterday").statusCode());
      assertEquals(405, send(node, "POST", "/_duro/alarms").statusCode());
      assertEquals(200, send(node, "GET", "/_duro/alarms?due_before=2030-01-01T00:00:00Z").statusCode());
    }
  }
}

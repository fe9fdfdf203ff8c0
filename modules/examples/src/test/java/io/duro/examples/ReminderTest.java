package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReminderTest {

  @TempDir Path dataDir;


  @Test
  void scheduledReminderIsListedByTheAdminApiThenFiresOnce() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("reminder", Reminder.class))) {
      String id = node.namespace("reminder").idFromName("tea").toString();
      HttpResponse<String> scheduled = node.send("POST", "/reminder/tea/schedule?in=1500", null);
      assertEquals(200, scheduled.statusCode(), scheduled.body());
      String alarms = node.send("GET", "/_duro/alarms?limit=10", null).body();
      assertTrue(alarms.contains("\"object\":\"" + id + "\""), alarms);
      assertTrue(alarms.contains("\"binding\":\"reminder\""), alarms);
      long deadline = System.currentTimeMillis() + 15_000;
      String status = "";
      while (System.currentTimeMillis() < deadline) {
        status = node.send("GET", "/reminder/tea", null).body();
        if (status.contains("\"fired\":1")) {
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(status.contains("\"alarm\":null,\"fired\":1"), status);
      Thread.sleep(1000);
      assertTrue(node.send("GET", "/reminder/tea", null).body().contains("\"fired\":1"));
      assertTrue(!node.send("GET", "/_duro/alarms", null).body().contains(id), "index row removed");
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
        HttpResponse<String> r = node.send("POST", path, null);
        assertEquals(400, r.statusCode(), path + " " + r.body());
        assertTrue(r.body().startsWith("{\"error\":\"invalid_argument\""), r.body());
      }
      assertEquals("{\"alarm\":null,\"fired\":0,\"runs\":[]}", node.send("GET", "/reminder/r", null).body());
      assertEquals(400, node.send("GET", "/_duro/alarms?limit=0", null).statusCode());
      assertEquals(400, node.send("GET", "/_duro/alarms?due_before=yesterday", null).statusCode());
      assertEquals(405, node.send("POST", "/_duro/alarms", null).statusCode());
      assertEquals(200, node.send("GET", "/_duro/alarms?due_before=2030-01-01T00:00:00Z", null).statusCode());
    }
  }
}

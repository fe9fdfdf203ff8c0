package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alarms survive kill -9 of the node process and a normal restart: every acknowledged alarm fires
 * once the node is back, not before its time (DESIGN §5).
 */
@Tag("process")
class AlarmCrashIT {

  private static final int OBJECTS = 30;

  @TempDir Path temp;
  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void killStartedNodes() {
    started.forEach(NodeProcess::close);
  }

  private NodeProcess start(String name) throws Exception {
    NodeProcess node = NodeProcess.start(temp, name, temp.resolve("data"));
    started.add(node);
    return node;
  }

  private Map<String, Instant> schedule(HttpJson http, String prefix, long inMillis)
      throws Exception {
    Map<String, Instant> alarms = new TreeMap<>();
    for (int i = 0; i < OBJECTS; i++) {
      String name = prefix + i;
      HttpJson.Answer a = http.post("/reminder/" + name + "/schedule?in=" + inMillis);
      assertEquals(200, a.status(), a.toString());
      alarms.put(name, Instant.parse(a.json().get("alarm").asText()));
    }
    return alarms;
  }

  private void awaitAllFired(HttpJson http, Map<String, Instant> alarms) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    for (Map.Entry<String, Instant> e : alarms.entrySet()) {
      JsonNode status;
      do {
        status = http.get("/reminder/" + e.getKey()).json();
        if (status.get("fired").asLong() >= 1) {
          break;
        }
        Thread.sleep(100); // the poll interval of an awaited condition
      } while (System.currentTimeMillis() < deadline);
      assertTrue(status.get("fired").asLong() >= 1, e.getKey() + " never fired: " + status);
      JsonNode run = status.get("runs").get(0);
      assertEquals(e.getValue(), Instant.parse(run.get("scheduled").asText()));
      assertTrue(
          !Instant.parse(run.get("at").asText()).isBefore(e.getValue()),
          "not before its time: " + run);
    }
  }

  @Test
  void pendingAlarmsFireAfterKillDashNineAndAfterANormalRestart() throws Exception {
    NodeProcess first = start("first");
    Map<String, Instant> killed = schedule(first.http(), "killed-", 4000);
    first.killDashNine();

    NodeProcess second = start("second");
    Map<String, Instant> stopped = schedule(second.http(), "stopped-", 4000);
    awaitAllFired(second.http(), killed);
    second.stop(); // SIGTERM, graceful

    NodeProcess third = start("third");
    awaitAllFired(third.http(), stopped);
    long deadline = System.currentTimeMillis() + 10_000;
    JsonNode index;
    do {
      index = third.http().get("/_duro/alarms").json();
      Thread.sleep(100); // the poll interval of an awaited condition
    } while (index.get("count").asInt() != 0 && System.currentTimeMillis() < deadline);
    assertEquals(0, index.get("count").asInt(), "fired alarms leave the index: " + index);
  }
}

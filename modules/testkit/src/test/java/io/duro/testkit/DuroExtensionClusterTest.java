package io.duro.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three nodes in one JVM sharing one journal. */
class DuroExtensionClusterTest {

  @RegisterExtension
  static DuroExtension duro = DuroExtension.builder().bind("probe", ClockProbe.class).nodes(3).build();

  private static final Pattern BODY =
      Pattern.compile("\\{\"count\":(\\d+),\"instance\":\"([^\"]+)\"}");

  @Test
  void everyGatewayReachesTheOneInstanceOfAnObject() {
    assertEquals(3, duro.nodes().size());
    Set<String> instances = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = duro.node(i).send("POST", "/probe/shared/increment", null);
      assertEquals(200, r.statusCode(), r.body());
      Matcher m = BODY.matcher(r.body());
      assertTrue(m.matches(), r.body());
      assertEquals(i + 1, Integer.parseInt(m.group(1)), "count through node " + i);
      instances.add(m.group(2));
    }
    assertEquals(1, instances.size(), "one instance for the ID across the cluster");
  }

  @Test
  void alarmsFireInTheClusterWhenTheSharedClockMoves() {
    for (int i = 0; i < 6; i++) {
      duro.node(i % 3).send("POST", "/probe/c" + i + "/alarm?in=5000", null);
    }
    duro.advanceTime(Duration.ofSeconds(5));
    for (int i = 0; i < 6; i++) {
      @SuppressWarnings("unchecked")
      Map<String, Object> s =
          duro.node(2).fetch("probe", "c" + i, Request.get("/")).json(Map.class);
      assertEquals(1, ((Number) s.get("runs")).intValue(), "c" + i + " " + s);
    }
  }
}

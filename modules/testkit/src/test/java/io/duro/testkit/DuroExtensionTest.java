package io.duro.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import io.duro.api.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension on one node: deterministic alarms, hibernation, stubs, WebSockets, restart. */
class DuroExtensionTest {

  @RegisterExtension
  static DuroExtension duro =
      DuroExtension.builder()
          .bind("probe", ClockProbe.class)
          .setting("duro.runtime.alarms.first-retry-delay", "2s")
          .build();

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(String name) {
    return duro.fetch("probe", name, Request.get("/")).json(Map.class);
  }

  @Test
  void alarmFiresOnlyOnceTheClockReachesItsTime() {
    Instant start = duro.now();
    assertEquals(200, duro.send("POST", "/probe/a1/alarm?in=60000", null).statusCode());
    duro.advanceTime(Duration.ofSeconds(59));
    assertEquals(0, ((Number) status("a1").get("runs")).intValue(), "not yet due");
    duro.advanceTime(Duration.ofSeconds(1));
    assertEquals(1, ((Number) status("a1").get("runs")).intValue(), "fired once, and done");
    assertEquals(start.plusSeconds(60), duro.now());
    duro.advanceTime(Duration.ofHours(1));
    assertEquals(1, ((Number) status("a1").get("runs")).intValue(), "not fired again");
  }

  @Test
  void clockStandsStillBetweenAdvances() throws Exception {
    Instant before = duro.now();
    Thread.sleep(50); // real time passes (the input here, not a wait for the node)
    assertEquals(before, duro.now());
    assertThrows(IllegalArgumentException.class, () -> duro.advanceTime(Duration.ofMillis(-1)));
  }

  @Test
  void failingAlarmIsRetriedWithBackoffAsTheClockMoves() {
    duro.send("POST", "/probe/a2/alarm?in=1000&fail=2", null);
    duro.advanceTime(Duration.ofSeconds(1)); // run 1 fails; retry 1 is 2 s later
    assertEquals(0, ((Number) status("a2").get("runs")).intValue());
    duro.advanceTime(Duration.ofMillis(1999));
    assertEquals(0, ((Number) status("a2").get("runs")).intValue(), "retry not yet due");
    duro.advanceTime(Duration.ofMillis(1)); // retry 1 fails; retry 2 is 4 s later
    duro.advanceTime(Duration.ofSeconds(3));
    assertEquals(0, ((Number) status("a2").get("runs")).intValue(), "backoff doubled");
    duro.advanceTime(Duration.ofSeconds(1));
    Map<String, Object> s = status("a2");
    assertEquals(1, ((Number) s.get("runs")).intValue(), s.toString());
    assertEquals(2, ((Number) s.get("lastRetry")).intValue(), s.toString());
  }

  @Test
  void hibernatedObjectRunsItsNextRequestOnANewInstanceWithItsStorage() {
    Response first = duro.fetch("probe", "h1", Request.post("/increment", ""));
    String instance = (String) first.json(Map.class).get("instance");
    assertEquals(instance, status("h1").get("instance"), "same instance while active");
    duro.hibernate("probe", "h1");
    Map<String, Object> after = status("h1");
    assertNotEquals(instance, after.get("instance"), "a new instance after hibernation");
    assertEquals(1, ((Number) after.get("count")).intValue(), "storage survived");
  }

  @Test
  void webSocketStaysOpenWhileItsObjectHibernates() {
    try (TestWebSocket ws = duro.webSocket("/probe/w1/ws")) {
      ws.send("one");
      String before = ws.next();
      assertTrue(before.endsWith(":one"), before);
      duro.hibernate("probe", "w1");
      ws.send("two");
      String after = ws.next();
      assertTrue(after.endsWith(":two"), after);
      assertNotEquals(before.split(":")[0], after.split(":")[0], "woken as a new instance");
    }
  }

  @Test
  void unknownBindingIsRefusedWithItsName() {
    RuntimeException e = assertThrows(RuntimeException.class, () -> duro.hibernate("nope", "x"));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }
}

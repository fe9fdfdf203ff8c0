package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReminderTest {

  @RegisterExtension
  static DuroExtension duro = DuroExtension.builder().bind("reminder", Reminder.class).build();

  @Test
  void scheduledReminderIsListedByTheAdminApiThenFiresOnceWhenItsTimeComes() {
    String id = duro.namespace("reminder").idFromName("tea").toString();
    HttpResponse<String> scheduled = duro.send("POST", "/reminder/tea/schedule?in=1500", null);
    assertEquals(200, scheduled.statusCode(), scheduled.body());
    assertTrue(scheduled.body().contains(duro.now().plusMillis(1500).toString()), scheduled.body());
    String alarms = duro.send("GET", "/_duro/alarms?limit=10", null).body();
    assertTrue(alarms.contains("\"object\":\"" + id + "\""), alarms);
    assertTrue(alarms.contains("\"binding\":\"reminder\""), alarms);
    duro.advanceTime(Duration.ofMillis(1499));
    assertTrue(duro.send("GET", "/reminder/tea", null).body().contains("\"fired\":0"));
    duro.advanceTime(Duration.ofMillis(1));
    String status = duro.send("GET", "/reminder/tea", null).body();
    assertTrue(status.contains("\"alarm\":null,\"fired\":1"), status);
    duro.advanceTime(Duration.ofMinutes(10));
    assertTrue(duro.send("GET", "/reminder/tea", null).body().contains("\"fired\":1"));
    assertFalse(duro.send("GET", "/_duro/alarms", null).body().contains(id), "index row removed");
  }

  @Test
  void badDelaysAndBadAdminQueriesAre400() throws Exception {
    for (String path :
        new String[] {
          "/reminder/r/schedule", "/reminder/r/schedule?in=abc", "/reminder/r/schedule?in=-5",
          "/reminder/r/schedule?in=999999999999999999"
        }) {
      HttpResponse<String> r = duro.send("POST", path, null);
      assertEquals(400, r.statusCode(), path + " " + r.body());
      assertTrue(r.body().startsWith("{\"error\":\"invalid_argument\""), r.body());
    }
    assertEquals("{\"alarm\":null,\"fired\":0,\"runs\":[]}", duro.send("GET", "/reminder/r", null).body());
    assertEquals(400, duro.send("GET", "/_duro/alarms?limit=0", null).statusCode());
    assertEquals(400, duro.send("GET", "/_duro/alarms?due_before=yesterday", null).statusCode());
    assertEquals(405, duro.send("POST", "/_duro/alarms", null).statusCode());
    assertEquals(200, duro.send("GET", "/_duro/alarms?due_before=2030-01-01T00:00:00Z", null).statusCode());
  }
}

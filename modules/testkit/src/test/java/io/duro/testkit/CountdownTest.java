package io.duro.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duro.api.Request;
import io.duro.api.Response;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The complete example of docs/testing.md, as printed there. */
class CountdownTest {

  @RegisterExtension
  static DuroExtension duro = DuroExtension.builder().bind("countdown", Countdown.class).build();

  @Test
  void ringsWhenItsTimeComesAndNotBefore() {
    duro.send("POST", "/countdown/tea/start?seconds=180", null);
    duro.advanceTime(Duration.ofSeconds(179));
    assertEquals("{\"rang\":false}", duro.send("GET", "/countdown/tea", null).body());
    duro.advanceTime(Duration.ofSeconds(1));          // fires the alarm and waits for it
    assertEquals("{\"rang\":true}", duro.send("GET", "/countdown/tea", null).body());
  }

  @Test
  void alarmWakesAHibernatedObject() {
    duro.send("POST", "/countdown/eggs/start?seconds=300", null);
    duro.hibernate("countdown", "eggs");              // out of memory, as after idling
    duro.advanceTime(Duration.ofMinutes(5));          // the durable alarm index wakes it
    Response r = duro.fetch("countdown", "eggs", Request.get("/"));   // no HTTP
    assertEquals("{\"rang\":true}", r.text());
  }

  @Test
  void stateSurvivesARestart() {
    duro.send("POST", "/countdown/rice/start?seconds=600", null);
    duro.restart();                                   // same journal, new node
    duro.advanceTime(Duration.ofMinutes(10));
    assertEquals("{\"rang\":true}", duro.send("GET", "/countdown/rice", null).body());
  }
}

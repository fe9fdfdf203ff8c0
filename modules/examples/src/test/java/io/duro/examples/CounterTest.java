package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duro.testkit.DuroExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CounterTest {

  @RegisterExtension
  DuroExtension duro = DuroExtension.builder().bind("counter", Counter.class).build();

  @Test
  void incrementReturnsTheNewValueAndTheValueSurvivesARestart() {
    assertEquals("{\"value\":1}", duro.send("POST", "/counter/a/increment", null).body());
    assertEquals("{\"value\":2}", duro.send("POST", "/counter/a/increment", null).body());
    assertEquals("{\"value\":2}", duro.send("GET", "/counter/a", null).body());
    assertEquals("{\"value\":0}", duro.send("GET", "/counter/b", null).body());
    duro.restart();
    assertEquals("{\"value\":2}", duro.send("GET", "/counter/a", null).body());
  }

  @Test
  void wrongMethodIs405WithAllowAndUnknownPathIs404() {
    HttpResponse<String> r = duro.send("GET", "/counter/a/increment", null);
    assertEquals(405, r.statusCode());
    assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
    assertEquals(404, duro.send("GET", "/counter/a/nope", null).statusCode());
    assertEquals("{\"value\":0}", duro.send("GET", "/counter/a", null).body());
  }
}

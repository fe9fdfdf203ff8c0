package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duro.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CounterTest {

  @TempDir Path dataDir;


  @Test
  void incrementReturnsTheNewValueAndTheValueSurvivesARestart() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("counter", Counter.class))) {
      assertEquals("{\"value\":1}", node.send("POST", "/counter/a/increment", null).body());
      assertEquals("{\"value\":2}", node.send("POST", "/counter/a/increment", null).body());
      assertEquals("{\"value\":2}", node.send("GET", "/counter/a", null).body());
      assertEquals("{\"value\":0}", node.send("GET", "/counter/b", null).body());
    }
    try (TestNode node = TestNode.start(dataDir, Map.of("counter", Counter.class))) {
      assertEquals("{\"value\":2}", node.send("GET", "/counter/a", null).body());
    }
  }

  @Test
  void wrongMethodIs405WithAllowAndUnknownPathIs404() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("counter", Counter.class))) {
      HttpResponse<String> r = node.send("GET", "/counter/a/increment", null);
      assertEquals(405, r.statusCode());
      assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
      assertEquals(404, node.send("GET", "/counter/a/nope", null).statusCode());
      assertEquals("{\"value\":0}", node.send("GET", "/counter/a", null).body());
    }
  }
}

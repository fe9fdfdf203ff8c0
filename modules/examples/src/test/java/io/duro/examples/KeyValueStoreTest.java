package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KeyValueStoreTest {

  @RegisterExtension
  static DuroExtension node = DuroExtension.builder().bind("kv", KeyValueStore.class).build();


  @Test
  void putGetListAndDeleteWork() throws Exception {
    assertEquals(200, node.send("PUT", "/kv/s1/keys/user:1", "{\"name\":\"ada\"}").statusCode());
    assertEquals(200, node.send("PUT", "/kv/s1/keys/user:2", "\"bob\"").statusCode());
    assertEquals(200, node.send("PUT", "/kv/s1/keys/other", "3").statusCode());
    assertEquals(
        "{\"key\":\"user:1\",\"value\":{\"name\":\"ada\"}}",
        node.send("GET", "/kv/s1/keys/user:1", null).body());
    assertEquals(
        "{\"entries\":{\"user:2\":\"bob\",\"user:1\":{\"name\":\"ada\"}}}",
        node.send("GET", "/kv/s1/keys?prefix=user:&reverse=true", null).body());
    assertEquals("{\"deleted\":true}", node.send("DELETE", "/kv/s1/keys/other", null).body());
    assertEquals(404, node.send("GET", "/kv/s1/keys/other", null).statusCode());
  }

  @Test
  void batchPutIsAllOrNothing() throws Exception {
    String big = "\"" + "x".repeat(140_000) + "\"";
    HttpResponse<String> r = node.send("POST", "/kv/s2/batch/put", "{\"a\":1,\"b\":" + big + "}");
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("\"error\":\"limit_exceeded\""), r.body());
    assertEquals("{\"entries\":{}}", node.send("GET", "/kv/s2/keys", null).body());
  }
}

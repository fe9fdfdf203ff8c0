package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.duro.server.DuroConfig;
import io.duro.server.DuroServer;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The node's HTTP surface (DESIGN §9) against a real node in this JVM: the built-in counter and kv
 * objects, the default router, and a JSON error for every kind of bad input — after which nothing
 * was written and the node still serves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayHttpTest {

  @TempDir static Path dataDir;

  private static DuroServer server;
  private static HttpJson http;
  private static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void startNode() throws Exception {
    server =
        DuroServer.start(
                DuroConfig.load(
                    ConfigFactory.parseMap(
                        Map.of(
                            "duro.data-dir", dataDir.toString(),
                            "duro.gateway.port", 0,
                            "duro.gateway.host", "127.0.0.1"))),
                Main.builtInApplication())
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    http = new HttpJson(server.port());
  }

  @AfterAll
  static void stopNode() {
    if (server != null) {
      server.close();
    }
  }

  /** A fresh object name for each test. */
  private static String fresh() {
    return "obj-" + names.incrementAndGet() + "-" + System.nanoTime();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void assertError(HttpJson.Answer a, int status, String code, String... named) {
    assertEquals(status, a.status(), a.toString());
    assertTrue(
        a.raw().headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        "JSON content type: " + a.raw().headers().map());
    JsonNode json = a.json();
    assertEquals(code, json.path("error").asText(), a.toString());
    String message = json.path("message").asText();
    assertTrue(!message.isBlank(), "a message: " + a);
    for (String n : named) {
      assertTrue(message.contains(n), "the message names '" + n + "': " + message);
    }
  }

  /** The kv object's entries, in the order the server sent them. */
  private static Map<String, JsonNode> entries(String kv, String query) throws Exception {
    HttpJson.Answer a = http.get("/kv/" + enc(kv) + "/keys" + query);
    assertEquals(200, a.status(), a.toString());
    Map<String, JsonNode> entries = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = a.json().get("entries").fields();
    it.forEachRemaining(e -> entries.put(e.getKey(), e.getValue()));
    return entries;
  }

  private static void assertKvEmpty(String kv) throws Exception {
    assertEquals(Map.of(), entries(kv, ""), "nothing was written to " + kv);
  }

  private static long counter(String name) throws Exception {
    return http.get("/counter/" + enc(name)).value();
  }

  private static String json(Object value) throws Exception {
    return HttpJson.JSON.writeValueAsString(value);
  }

  // ---- the counter, routing and health -------------------------------------------------------

  @Test
  void incrementReturnsTheNewValueAndGetReturnsTheCurrentOne() throws Exception {
    String name = fresh();
    assertEquals(0, counter(name));
    HttpJson.Answer first = http.post("/counter/" + name + "/increment");
    assertEquals("{\"value\":1}", first.body().replace(" ", ""));
    assertTrue(first.raw().headers().firstValue("Content-Type").orElse("").contains("json"));
    assertEquals(2, http.post("/counter/" + name + "/increment").value());
    HttpJson.Answer get = http.get("/counter/" + name);
    assertEquals(200, get.status());
    assertEquals("{\"value\":2}", get.body().replace(" ", ""));
  }

  @Test
  void idRouteReachesTheSameObjectAsTheName() throws Exception {
    String name = fresh();
    String hex = server.runtime().namespace("counter").idFromName(name).toString();
    assertEquals(1, http.post("/counter/" + name + "/increment").value());
    assertEquals(2, http.post("/counter/id/" + hex + "/increment").value());
    assertEquals(2, http.get("/counter/id/" + hex).value());
    assertEquals(2, counter(name));
  }

  @Test
  void healthAnswers200() throws Exception {
    HttpJson.Answer a = http.get("/_duro/health");
    assertEquals(200, a.status(), a.toString());
  }

  @Test
  void concurrentIncrementsOnOneObjectAreEachCountedOnce() throws Exception {
    String name = fresh();
    int threads = 16;
    int perThread = 25;
    ConcurrentLinkedQueue<Long> values = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    values.add(http.post("/counter/" + name + "/increment").value());
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int n = threads * perThread;
    TreeSet<Long> distinct = new TreeSet<>(values);
    assertEquals(n, values.size());
    assertEquals(n, distinct.size(), "every returned value is unique");
    assertEquals(1L, distinct.first());
    assertEquals((long) n, distinct.last());
    assertEquals(n, counter(name));
  }

  @Test
  void listReturnsKeysInUtf8ByteOrderNotJavaStringOrder() throws Exception {
    String kv = fresh();
    String bmpLast = "\uFFFF"; // UTF-8 EF BF BF; in Java it sorts after the emoji's surrogates
    String emoji = "\uD83D\uDE00"; // U+1F600, UTF-8 F0 9F 98 80
    for (String key : List.of(emoji, "a", bmpLast)) {
      HttpJson.Answer a = http.send("PUT", "/kv/" + kv + "/keys/" + enc(key), json(key));
      assertEquals(200, a.status(), a.toString());
    }
    assertEquals(List.of("a", bmpLast, emoji), new ArrayList<>(entries(kv, "").keySet()));
    assertEquals(
        List.of(emoji, bmpLast, "a"), new ArrayList<>(entries(kv, "?reverse=true").keySet()));
    assertEquals(List.of(emoji), new ArrayList<>(entries(kv, "?startAfter=%EF%BF%BF").keySet()));
    assertEquals(emoji, entries(kv, "").get(emoji).asText(), "the value round-trips");
  }

  @Test
  void keyOfExactly2048BytesIsAccepted() throws Exception {
    String kv = fresh();
    String key = "k".repeat(2048);
    assertEquals(200, http.send("PUT", "/kv/" + kv + "/keys/" + key, "1").status());
    assertEquals(List.of(key), new ArrayList<>(entries(kv, "").keySet()));
  }

  // ---- bad input: a JSON error, and nothing written ------------------------------------------

  @Test
  void oversizedAsciiKeyIsRejectedAndNothingIsWritten() throws Exception {
    String kv = fresh();
    HttpJson.Answer a = http.send("PUT", "/kv/" + kv + "/keys/" + "k".repeat(3000), "1");
    assertError(a, 400, "limit_exceeded", "2048", "3000");
    assertKvEmpty(kv);
  }

  @Test
  void oversizedMultiByteKeyIsRejectedByItsUtf8Size() throws Exception {
    String kv = fresh();
    String key = "€".repeat(700); // 700 chars, 2100 UTF-8 bytes
    HttpJson.Answer a = http.send("PUT", "/kv/" + kv + "/keys/" + enc(key), "1");
    assertError(a, 400, "limit_exceeded", "2048", "2100");
    assertKvEmpty(kv);
  }

  @Test
  void oversizedValueIsRejectedAndNothingIsWritten() throws Exception {
    String kv = fresh();
    String value = json("v".repeat(140_000)); // 140,002 bytes serialized
    HttpJson.Answer a = http.send("PUT", "/kv/" + kv + "/keys/big", value);
    assertError(a, 400, "limit_exceeded", "131072", "140002");
    assertKvEmpty(kv);
  }

  private static List<String> keys(int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add("k" + i);
    }
    return keys;
  }

  @Test
  void batchPutOfMoreThan128KeysIsRejectedAndNothingIsWritten() throws Exception {
    String kv = fresh();
    Map<String, Integer> batch = new LinkedHashMap<>();
    keys(129).forEach(k -> batch.put(k, 1));
    HttpJson.Answer a = http.send("POST", "/kv/" + kv + "/batch/put", json(batch));
    assertError(a, 400, "limit_exceeded", "128", "129");
    assertKvEmpty(kv);
  }

  @Test
  void batchGetOfMoreThan128KeysIsRejected() throws Exception {
    String kv = fresh();
    HttpJson.Answer a = http.send("POST", "/kv/" + kv + "/batch/get", json(keys(129)));
    assertError(a, 400, "limit_exceeded", "128", "129");
    assertKvEmpty(kv);
  }

  @Test
  void batchDeleteOfMoreThan128KeysIsRejectedAndDeletesNothing() throws Exception {
    String kv = fresh();
    Map<String, Integer> some = new LinkedHashMap<>();
    keys(5).forEach(k -> some.put(k, 7));
    assertEquals(200, http.send("POST", "/kv/" + kv + "/batch/put", json(some)).status());
    HttpJson.Answer a = http.send("POST", "/kv/" + kv + "/batch/delete", json(keys(129)));
    assertError(a, 400, "limit_exceeded", "128", "129");
    assertEquals(some.keySet(), entries(kv, "").keySet(), "every key is still there");
  }

  @Test
  void batchOfExactly128KeysIsAccepted() throws Exception {
    String kv = fresh();
    Map<String, Integer> batch = new LinkedHashMap<>();
    keys(128).forEach(k -> batch.put(k, 1));
    assertEquals(200, http.send("POST", "/kv/" + kv + "/batch/put", json(batch)).status());
    assertEquals(128, entries(kv, "").size());
  }

  @Test
  void emptyValueIsRejectedAndNothingIsWritten() throws Exception {
    String kv = fresh();
    HttpJson.Answer a = http.send("PUT", "/kv/" + kv + "/keys/k", BodyPublishers.noBody());
    assertError(a, 400, "invalid_argument", "empty");
    assertKvEmpty(kv);
  }

  @Test
  void invalidJsonValueIsRejectedAndNothingIsWritten() throws Exception {
    String kv = fresh();
    HttpJson.Answer a = http.send("PUT", "/kv/" + kv + "/keys/k", "{not json");
    assertError(a, 400, "invalid_argument", "JSON");
    assertKvEmpty(kv);
  }

  @Test
  void listWithStartAndStartAfterIsRejected() throws Exception {
    String kv = fresh();
    assertEquals(200, http.send("PUT", "/kv/" + kv + "/keys/a", "1").status());
    HttpJson.Answer a = http.get("/kv/" + kv + "/keys?start=a&startAfter=b");
    assertError(a, 400, "invalid_argument", "start", "startAfter");
    assertEquals(List.of("a"), new ArrayList<>(entries(kv, "").keySet()));
  }

  @ParameterizedTest(name = "limit={0}")
  @ValueSource(ints = {0, -1})
  void listWithALimitThatIsNotPositiveIsRejected(int limit) throws Exception {
    String kv = fresh();
    assertEquals(200, http.send("PUT", "/kv/" + kv + "/keys/a", "1").status());
    HttpJson.Answer a = http.get("/kv/" + kv + "/keys?limit=" + limit);
    assertError(a, 400, "invalid_argument", "limit", Integer.toString(limit));
    assertEquals(List.of("a"), new ArrayList<>(entries(kv, "").keySet()));
  }

  @Test
  void malformedIdIsRejectedAsInvalidId() throws Exception {
    String name = fresh();
    String hex = server.runtime().namespace("counter").idFromName(name).toString();
    for (String bad : List.of("xyz", hex.toUpperCase(Locale.ROOT), hex.substring(1))) {
      HttpJson.Answer a = http.post("/counter/id/" + bad + "/increment");
      assertError(a, 400, "invalid_id", "64", bad.substring(0, 3));
    }
    assertEquals(0, counter(name), "nothing was written");
  }

  @Test
  void idMadeByAnotherNamespaceIsRejectedAsInvalidId() throws Exception {
    String name = fresh();
    String kvHex = server.runtime().namespace("kv").idFromName(name).toString();
    HttpJson.Answer a = http.post("/counter/id/" + kvHex + "/increment");
    assertError(a, 400, "invalid_id", kvHex);
    assertEquals(0, counter(name));
    assertEquals(200, http.get("/kv/id/" + kvHex + "/keys").status(), "the ID is good for kv");
  }

  @Test
  void unknownBindingIs404() throws Exception {
    HttpJson.Answer a = http.post("/nosuchbinding/" + fresh() + "/increment");
    assertError(a, 404, "unknown_binding", "nosuchbinding");
  }

  @Test
  void unsupportedMethodOnAnObjectRouteIs405WithAllow() throws Exception {
    String name = fresh();
    HttpJson.Answer a =
        http.send("DELETE", "/counter/" + name + "/increment", BodyPublishers.noBody());
    assertError(a, 405, "method_not_allowed", "DELETE");
    assertEquals("POST", a.raw().headers().firstValue("Allow").orElse(null));
    assertEquals(0, counter(name), "nothing was written");
  }

  @Test
  void traceIs405() throws Exception {
    String name = fresh();
    HttpJson.Answer a = http.send("TRACE", "/counter/" + name, BodyPublishers.noBody());
    assertError(a, 405, "method_not_allowed", "TRACE");
    assertTrue(a.raw().headers().firstValue("Allow").isPresent(), "a 405 names what is allowed");
    assertEquals(0, counter(name));
  }

  @Test
  void bodyLargerThanTheMaximumIs413AndNothingIsWritten() throws Exception {
    String kv = fresh();
    String twoMiB = json("x".repeat(2 * 1024 * 1024));
    HttpJson.Answer a = http.send("PUT", "/kv/" + kv + "/keys/k", twoMiB);
    assertError(a, 413, "body_too_large", "1048576");
    assertKvEmpty(kv);
  }

  @Test
  void chunkedBodyLargerThanTheMaximumIs413AndNothingIsWritten() throws Exception {
    String kv = fresh();
    byte[] twoMiB = json("x".repeat(2 * 1024 * 1024)).getBytes(StandardCharsets.UTF_8);
    HttpJson.Answer a =
        http.send(
            "PUT",
            "/kv/" + kv + "/keys/k",
            BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(twoMiB)));
    assertError(a, 413, "body_too_large", "1048576");
    assertKvEmpty(kv);
  }

  @Test
  void unknownAdminPathIs404() throws Exception {
    HttpJson.Answer a = http.get("/_duro/nosuch");
    assertError(a, 404, "not_found", "/_duro/nosuch");
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void nodeStillServesAfterAllTheBadInput() throws Exception {
    assertEquals(200, http.get("/_duro/health").status());
    String name = fresh();
    assertEquals(1, http.post("/counter/" + name + "/increment").value());
    assertEquals(1, counter(name));
  }
}

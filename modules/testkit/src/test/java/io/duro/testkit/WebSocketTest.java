package io.duro.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebSockets and event streams against a real node over real TCP, on the gateway's own WebSocket
 * stage and on Pekko HTTP's stock path ({@code duro.gateway.websocket-fork}).
 */
@ParameterizedClass(name = "duro.gateway.websocket-fork = {0}")
@ValueSource(booleans = {true, false})
class WebSocketTest {

  @TempDir static Path dataDir;
  static TestNode node;
  @Parameter boolean websocketFork;

  @BeforeParameterizedClassInvocation
  static void start(boolean websocketFork) throws Exception {
    node =
        TestNode.start(
            Files.createDirectories(dataDir.resolve("websocket-fork-" + websocketFork)),
            SocketProbe.bindings(),
            Map.of(
                "duro.runtime.idle-timeout", "1s",
                "duro.gateway.connections.max-message-bytes", "65536",
                "duro.gateway.connections.outgoing-buffer", "256",
                "duro.gateway.connections.event-stream-keep-alive", "1s",
                "duro.gateway.websocket-fork", websocketFork));
  }

  @AfterParameterizedClassInvocation
  static void stop() {
    node.close();
  }

  private static TestWebSocket connect(String object, String query) {
    return TestWebSocket.connect(node.uri("/probe/" + object + "/ws" + query));
  }

  /** A GET asking for an event stream, its body read as it comes. */
  static HttpResponse<InputStream> openEventStream(TestNode node, String path) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(
            HttpRequest.newBuilder(node.uri(path)).header("Accept", "text/event-stream").build(),
            HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void textAndBinaryMessagesMakeTheRoundTrip() {
    try (TestWebSocket ws = connect("round-trip", "?greet=1&n=7")) {
      assertEquals("hello 7", ws.next());
      ws.send("echo:hi there");
      assertEquals("hi there", ws.next());
      byte[] data = {0, 1, 2, (byte) 0xff};
      ws.send(data);
      assertArrayEquals(data, (byte[]) ws.nextMessage());
      ws.send("tags");
      assertEquals("tags []", ws.next());
    }
  }

  @Test
  void broadcastReachesTheSocketsOfATag() {
    List<TestWebSocket> red = new ArrayList<>();
    List<TestWebSocket> blue = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        red.add(connect("broadcast", "?tags=red,all&n=" + i));
      }
      for (int i = 0; i < 2; i++) {
        blue.add(connect("broadcast", "?tags=blue,all&n=" + i));
      }
      assertEquals("3", node.send("POST", "/probe/broadcast/broadcast?tag=red", "to red").body());
      for (TestWebSocket ws : red) {
        assertEquals("to red", ws.next());
      }
      for (TestWebSocket ws : blue) {
        ws.send("echo:first"); // nothing for red arrived before it
        assertEquals("first", ws.next());
      }
      assertEquals("5", node.send("POST", "/probe/broadcast/broadcast?tag=all", "to all").body());
      for (TestWebSocket ws : red) {
        assertEquals("to all", ws.next());
      }
      for (TestWebSocket ws : blue) {
        assertEquals("to all", ws.next());
      }
      red.get(0).send("tags");
      assertEquals("tags [red, all]", red.get(0).next());
    } finally {
      red.forEach(TestWebSocket::close);
      blue.forEach(TestWebSocket::close);
    }
  }

  @Test
  void hundredSocketsStayOpenWhileTheObjectHibernatesAndWakeItWithTheirAttachments()
      throws Exception {
    List<TestWebSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        sockets.add(connect("hibernate", "?n=" + i));
      }
      sockets.get(0).send("count");
      assertEquals("count 100", sockets.get(0).next());
      int before = hibernate("hibernate");
      sockets.get(57).send("count"); // wakes it: a new instance
      assertEquals("count 100", sockets.get(57).next());
      assertEquals(
          before + 1, SocketProbe.activations(node, "hibernate"), "one activation woke the object");
      sockets.get(99).send("attachments");
      assertEquals("sum " + (99 * 100 / 2), sockets.get(99).next());
      assertEquals(before + 1, SocketProbe.activations(node, "hibernate"));
      for (TestWebSocket ws : sockets) {
        ws.send("echo:alive");
        assertEquals("alive", ws.next()); // every socket still works
      }
    } finally {
      sockets.forEach(TestWebSocket::close);
    }
  }

  /** Passivates a probe now, as its idle timeout would; returns how often it was activated. */
  private static int hibernate(String object) {
    node.hibernate("probe", object);
    return SocketProbe.activations(node, object);
  }

  @Test
  void autoResponseIsAnsweredWithoutWakingTheObject() throws Exception {
    try (TestWebSocket early = connect("auto", "")) {
      assertEquals("ok", node.send("POST", "/probe/auto/auto", "").body());
      try (TestWebSocket late = connect("auto", "")) {
        int before = hibernate("auto");
        long sent = System.currentTimeMillis();
        early.send("ping");
        assertEquals("pong", early.next());
        late.send("ping");
        assertEquals("pong", late.next());
        assertEquals(before, SocketProbe.activations(node, "auto"), "no activation for pongs");
        early.send("autots");
        long at = Long.parseLong(early.next().substring("autots ".length()));
        assertTrue(at >= sent - 5 && at <= System.currentTimeMillis(), "timestamp " + at);
        late.send("autots"); // on each socket, after its ping: had a ping reached the object,
        late.next(); // the object would have handled it first
        assertEquals(before + 1, SocketProbe.activations(node, "auto"), "one activation");
        assertFalse(log("auto").contains("message ping"), "no ping reached the object");
      }
    }
  }

  @Test
  void closesReachTheObjectWithTheirCodes() throws Exception {
    TestWebSocket polite = connect("closes", "");
    polite.close(4001, "bye");
    awaitLog("closes", "close 4001 bye true");
    assumeTrue(websocketFork, "Pekko's message API ends a lost connection as a 1000 close");
    TestWebSocket rude = connect("closes", "");
    rude.send("echo:x");
    assertEquals("x", rude.next());
    rude.abort(); // no close frame
    awaitLog("closes", "close 1006");
    assertTrue(log("closes").contains("false"), log("closes"));
  }

  @Test
  void theObjectClosesSocketsWithItsOwnCodeAndCannotSendAfterwards() throws Exception {
    assumeTrue(websocketFork, "Pekko's message API closes with 1000, not the object's code");
    try (TestWebSocket a = connect("server-close", "");
        TestWebSocket b = connect("server-close", "")) {
      node.send("POST", "/probe/server-close/close-all?code=4000", "");
      assertEquals(4000, a.awaitClose());
      assertEquals("closed by the object", a.closeReason());
      assertEquals(4000, b.awaitClose());
    }
    try (TestWebSocket c = connect("send-after-close", "")) {
      c.send("close-then-send");
      assertEquals(4001, c.awaitClose());
      awaitLog("send-after-close", "send after close: WebSocket");
      assertTrue(log("send-after-close").contains("is closed"));
      assertFalse(log("send-after-close").contains("close 4001"), "no callback for own close");
    }
  }

  @Test
  void badInputGetsClearErrorsAndLeavesTheObjectWorking() throws Exception {
    String tooMany = "t1,t2,t3,t4,t5,t6,t7,t8,t9,t10,t11";
    try (RawWebSocket raw = RawWebSocket.open(node.port(), "/probe/bad/ws?tags=" + tooMany, 0)) {
      assertTrue(raw.statusLine.startsWith("HTTP/1.1 400"), raw.statusLine);
    }
    String longTag = "x".repeat(257);
    try (RawWebSocket raw = RawWebSocket.open(node.port(), "/probe/bad/ws?tags=" + longTag, 0)) {
      assertTrue(raw.statusLine.startsWith("HTTP/1.1 400"), raw.statusLine);
    }
    HttpResponse<String> plain = node.send("GET", "/probe/bad/ws", null);
    assertEquals(400, plain.statusCode());
    assertTrue(plain.body().contains("acceptWebSocket needs"), plain.body());
    try (TestWebSocket ws = connect("bad", "")) {
      ws.send("attach:20000");
      String refused = ws.next();
      assertTrue(refused.startsWith("refused: ") && refused.contains("16384"), refused);
      ws.send("attach:100");
      assertEquals("attached", ws.next());
      assumeTrue(websocketFork, "Pekko's message API closes with 1000, not the gateway's code");
      ws.send("x".repeat(70_000)); // over max-message-bytes (64 KiB)
      assertEquals(1009, ws.awaitClose());
    }
    try (RawWebSocket raw = RawWebSocket.open(node.port(), "/probe/bad/ws", 0)) {
      assertTrue(raw.upgraded(), raw.statusLine);
      raw.send(1, new byte[] {(byte) 0xc3, 0x28}); // invalid UTF-8 in a text frame
      assertEquals(1007, raw.readClose());
    }
    awaitLog("bad", "error protocol error 1007");
    try (TestWebSocket ws = connect("bad", "")) {
      ws.send("echo:still fine");
      assertEquals("still fine", ws.next());
    }
  }

  @Test
  void aSlowClientIsClosedAndNeverBlocksTheObject() throws Exception {
    try (RawWebSocket slow = RawWebSocket.open(node.port(), "/probe/slow/ws", 4096)) {
      assertTrue(slow.upgraded());
      slow.sendText("flood:20000"); // 20 MB that the client never reads
      long start = System.nanoTime();
      HttpResponse<String> r = node.send("POST", "/probe/slow/broadcast", "x");
      assertEquals(200, r.statusCode());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the object answered");
      awaitLog("slow", "close 1008 outgoing buffer of 256 messages exceeded");
    }
  }

  @Test
  void eventStreamDeliversEventsInOrderAndNoticesTheClientLeaving() throws Exception {
    HttpResponse<InputStream> r = openEventStream(node, "/probe/sse/sse");
    assertEquals(200, r.statusCode());
    assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    InputStream body = r.body();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (Exception e) {
                // closed by the test
              }
            });
    reader.start();
    assertEquals("event: open", lines.poll(10, TimeUnit.SECONDS));
    assertEquals("data: ready", lines.poll(10, TimeUnit.SECONDS));
    for (String event : List.of("one", "two\nlines", "three")) {
      assertEquals("1", node.send("POST", "/probe/sse/publish", event).body());
    }
    List<String> data = new ArrayList<>();
    while (data.size() < 4) {
      String line = lines.poll(10, TimeUnit.SECONDS);
      if (line != null && line.startsWith("data: ")) {
        data.add(line);
      }
    }
    assertEquals(List.of("data: one", "data: two", "data: lines", "data: three"), data);
    body.close();
    awaitLog("sse", "stream closed [feed]");
    assertEquals("0", node.send("POST", "/probe/sse/publish", "nobody").body());
  }

  private static String log(String object) {
    return node.send("GET", "/probe/" + object + "/log", null).body();
  }

  private static void awaitLog(String object, String line) throws InterruptedException {
    await(() -> log(object).contains(line), object + " logs '" + line + "'; log: " + log(object));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting until " + what);
      }
      Thread.sleep(100); // the poll interval of an awaited condition
    }
  }
}

package io.duro.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node shutting down (coordinated shutdown: SIGTERM, a rolling update) closes the WebSockets
 * and event streams its gateway holds cleanly: 1001 "going away" with a reason, and the end of
 * the stream, so clients reconnect (to another node) instead of seeing a broken connection.
 */
class ShutdownSocketsTest {

  @TempDir Path dataDir;

  @Test
  void socketsAreClosedWith1001AndEventStreamsEndWhenTheNodeShutsDown() throws Exception {
    TestNode node = TestNode.start(dataDir, SocketProbe.bindings(), Map.of());
    TestWebSocket first = TestWebSocket.connect(node.uri("/probe/a/ws?greet=1&n=1"));
    TestWebSocket second = TestWebSocket.connect(node.uri("/probe/b/ws?greet=1&n=2"));
    assertEquals("hello 1", first.next());
    assertEquals("hello 2", second.next());
    HttpResponse<InputStream> sse = WebSocketTest.openEventStream(node, "/probe/c/sse");
    assertEquals(200, sse.statusCode());
    BufferedReader events =
        new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8));
    assertEquals("event: open", events.readLine());

    CompletableFuture<Void> closed = CompletableFuture.runAsync(node::close);

    for (TestWebSocket ws : new TestWebSocket[] {first, second}) {
      assertEquals(1001, ws.awaitClose(), "close code");
      assertTrue(ws.closeReason().contains("shutting down"), ws.closeReason());
    }
    String line;
    do {
      line = events.readLine(); // the rest of the first event, then the end of the stream
    } while (line != null && !line.startsWith("event:"));
    assertNull(line, "the event stream ended without another event");
    closed.get(60, TimeUnit.SECONDS);
  }
}

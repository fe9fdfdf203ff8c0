package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import io.duro.testkit.TestWebSocket;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NotificationsTest {

  @RegisterExtension
  static DuroExtension node = DuroExtension.builder().bind("notify", Notifications.class).build();

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Opens an event stream and returns its lines as they arrive. */
  private static BlockingQueue<String> subscribe(String path, String lastId)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(node.uri(path)).header("Accept", "text/event-stream");
    if (lastId != null) {
      b.header("Last-Event-ID", lastId);
    }
    HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (!line.isEmpty()) {
                    lines.add(line);
                  }
                }
              } catch (Exception e) {
                // the node stopped
              }
            });
    t.setDaemon(true);
    t.start();
    return lines;
  }

  private static String take(BlockingQueue<String> lines) throws InterruptedException {
    String line = lines.poll(10, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("no event line within 10 s");
    }
    return line;
  }

  @Test
  void subscribersGetNotificationsInOrderAndAReconnectGetsWhatItMissed() throws Exception {
    BlockingQueue<String> stream = subscribe("/notify/ada/", null);
    try (TestWebSocket ws = node.webSocket("/notify/ada/")) {
      assertEquals("{\"subscribers\":2}", node.send("GET", "/notify/ada/subscribers", null).body());
      for (int i = 1; i <= 3; i++) {
        String answer = node.send("POST", "/notify/ada/", "{\"text\":\"n" + i + "\"}").body();
        assertEquals("{\"id\":" + i + ",\"delivered\":2}", answer);
      }
      for (int i = 1; i <= 3; i++) {
        assertEquals("id: " + i, take(stream));
        assertEquals("event: notification", take(stream));
        assertTrue(take(stream).contains("\"text\":\"n" + i + "\""));
        assertTrue(ws.next().contains("\"text\":\"n" + i + "\""));
      }
    }
    BlockingQueue<String> resumed = subscribe("/notify/ada/", "1");
    assertEquals("id: 2", take(resumed));
    take(resumed);
    take(resumed);
    assertEquals("id: 3", take(resumed));
    assertEquals(400, node.send("POST", "/notify/ada/", "{not json").statusCode());
    assertEquals(405, node.send("DELETE", "/notify/ada/", null).statusCode());
    assertTrue(node.send("GET", "/notify/ada/recent", null).body().contains("\"n3\""));
  }
}

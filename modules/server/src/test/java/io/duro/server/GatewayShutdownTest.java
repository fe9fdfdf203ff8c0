package io.duro.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown of the gateway over real HTTP: once the port is unbound, a client on a
 * kept-alive connection still gets 503 {@code shutting_down} for the request it sends (not a
 * connection closed under a request it has written), and the drain ends early once the requests
 * stop.
 */
class GatewayShutdownTest {

  @TempDir Path dataDir;

  @Test
  void afterTheUnbindOpenConnectionsAreAnswered503UntilTheDrainEndsEarlyWhenRequestsStop()
      throws Exception {
    DuroServer server =
        GatewayTest.startEcho(
            dataDir,
            Map.of(
                // ends early after 6 s without a request
                "duro.gateway.shutdown-drain", "30s",
                "pekko.coordinated-shutdown.phases.service-unbind.timeout", "40s"));
    URI uri = URI.create("http://127.0.0.1:" + server.port() + "/echo/a/x");
    HttpRequest post =
        HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("b")).build();
    // Five clients, each with a kept-alive connection to the gateway.
    List<HttpClient> clients = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertEquals(200, client.send(post, HttpResponse.BodyHandlers.ofString()).statusCode());
      clients.add(client);
    }

    long shutdownAt = System.nanoTime();
    server.system().terminate();
    // The port is unbound soon: a new connection is refused (the client knows nothing was sent).
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        fresh.send(post, HttpResponse.BodyHandlers.ofString()); // served until the unbind
      } catch (ConnectException refused) {
        break;
      } catch (java.io.IOException closed) {
        // connected at the moment of the unbind: the kernel had accepted the connection for a
        // listening socket that is gone (a race of unbinding itself; a load balancer has taken
        // the node out by then)
      }
      assertTrue(System.nanoTime() < deadline, "the gateway still accepts connections");
      Thread.sleep(20); // the poll interval of an awaited condition
    }
    // The open connections stay: a request on each is answered 503 shutting_down, not cut off.
    for (HttpClient client : clients) {
      Thread.sleep(500); // requests spread over the drain (pacing of the client), not a wait for it
      HttpResponse<String> r = client.send(post, HttpResponse.BodyHandlers.ofString());
      GatewayTest.assertError(r, 503, "shutting_down");
      assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
    }

    // No more requests: the drain ends 6 s later (not 30 s after it began), the node stops.
    server.whenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    long stoppedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shutdownAt);
    assertTrue(
        stoppedAfterMs < 24_000, "the drain did not end when requests stopped: " + stoppedAfterMs);
    for (HttpClient client : clients) {
      assertThrows(
          ConnectException.class, () -> client.send(post, HttpResponse.BodyHandlers.ofString()));
    }
  }
}

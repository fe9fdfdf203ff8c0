package io.duro.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.runtime.Application;
import io.duro.runtime.ObjectBinding;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routing and error mapping of the gateway over real HTTP, with objects that misbehave. */
class GatewayTest {

  /** Echoes what it received; other paths misbehave on purpose. */
  public static final class Echo implements DurableObject {
    private final DurableObjectState state;

    public Echo(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return switch (request.path()) {
        case "/throw" -> throw new IllegalArgumentException("user bug");
        case "/hang" -> new CompletableFuture<>();
        case "/block" -> {
          state.blockConcurrencyWhile(CompletableFuture::new);
          yield Response.text("blocked").completed();
        }
        default ->
            Response.text(
                    request.method()
                        + " "
                        + request.url()
                        + " "
                        + request.header("content-type").orElse("-")
                        + " "
                        + request.header("x-in").orElse("-")
                        + " "
                        + request.text()
                        + " "
                        + state.id())
                .withHeader("X-Out", "yes")
                .completed();
      };
    }
  }

  @TempDir static Path dataDir;
  static DuroServer server;
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    server =
        startEcho(
            dataDir,
            Map.of("duro.runtime.request-timeout", "1s", "duro.runtime.max-queued-requests", 3));
  }

  /**
   * Starts a node serving {@link Echo} as {@code echo} on a free loopback port.
   *
   * @param dataDir its data directory
   * @param settings settings beyond the data directory and the port
   * @return the started node
   */
  static DuroServer startEcho(Path dataDir, Map<String, Object> settings) throws Exception {
    Map<String, Object> all = new java.util.HashMap<>(settings);
    all.put("duro.data-dir", dataDir.toString());
    all.put("duro.gateway.port", 0);
    all.put("duro.gateway.host", "127.0.0.1");
    return DuroServer.start(
            DuroConfig.load(ConfigFactory.parseMap(all)),
            Application.of(ObjectBinding.of("echo", Echo.class)))
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "text/plain; charset=UTF-8").header("X-In", "in");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.body().startsWith("{\"error\":\"" + code + "\",\"message\":\""), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void defaultRouterGivesTheObjectTheRestOfThePathTheQueryHeadersAndBody() throws Exception {
    String id = server.runtime().namespace("echo").idFromName("n1").toString();
    HttpResponse<String> r = send("PUT", "/echo/n1/some/path?x=1&y=%20", "hello");
    assertEquals(200, r.statusCode());
    assertEquals(
        "PUT /some/path?x=1&y=%20 text/plain; charset=UTF-8 in hello " + id, r.body());
    assertEquals("yes", r.headers().firstValue("X-Out").orElseThrow());
    assertEquals("GET / - -  " + id, send("GET", "/echo/n1", null).body());
    assertEquals("GET / - -  " + id, send("GET", "/echo/id/" + id + "/", null).body());
  }

  @Test
  void percentEncodedNamesAddressTheNamedObject() throws Exception {
    String id = server.runtime().namespace("echo").idFromName("a b/c").toString();
    assertTrue(send("GET", "/echo/a%20b%2Fc/x", null).body().endsWith(id));
  }

  @Test
  void objectPathsUnderDuroAreReservedForTypedRpc() throws Exception {
    HttpResponse<String> r = send("POST", "/echo/n1/_duro/rpc/Api.m", "{}");
    assertError(r, 404, "not_found");
    assertTrue(r.body().contains("reserved"), r.body());
  }

  @Test
  void handlerThatThrowsIs500ObjectError() throws Exception {
    HttpResponse<String> r = send("POST", "/echo/thrower/throw", "");
    assertError(r, 500, "object_error");
    assertTrue(r.body().contains("user bug"), r.body());
    assertEquals(200, send("GET", "/echo/thrower/ok", null).statusCode());
  }

  @Test
  void handlerThatNeverCompletesIs504Timeout() throws Exception {
    assertError(send("POST", "/echo/hanger/hang", ""), 504, "timeout");
    assertEquals(200, send("GET", "/echo/hanger/ok", null).statusCode());
  }

  @Test
  void overloadedObjectIs503WithRetryAfter() throws Exception {
    send("POST", "/echo/crowd/block", "");
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      pending.add(
          http.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/echo/crowd/x"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    int overloaded = 0;
    for (CompletableFuture<HttpResponse<String>> p : pending) {
      HttpResponse<String> r = p.get(30, TimeUnit.SECONDS);
      if (r.statusCode() == 503) {
        assertError(r, 503, "overloaded");
        assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
        overloaded++;
      }
    }
    assertTrue(overloaded >= 3, "requests beyond the bound were refused: " + overloaded);
  }

  @Test
  void routesWithoutAnObjectAre404AndBadIdsAre400() throws Exception {
    assertError(send("GET", "/", null), 404, "not_found");
    assertError(send("GET", "/echo", null), 404, "not_found");
    assertError(send("GET", "/echo/id", null), 404, "not_found");
    assertError(send("GET", "/nope/x", null), 404, "unknown_binding");
    assertError(send("GET", "/echo/id/zz", null), 400, "invalid_id");
    assertError(send("GET", "/_duro/nope", null), 404, "not_found");
    assertError(send("POST", "/_duro/health", ""), 405, "method_not_allowed");
    assertEquals("{\"status\":\"ok\"}", send("GET", "/_duro/health", null).body());
  }

  @Test
  void chunkedBodyOverTheLimitIs413AndReachesNoObject() throws Exception {
    byte[] chunk = new byte[64 * 1024];
    java.util.List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      chunks.add(chunk); // 1.25 MiB, over the 1 MiB default, sent without Content-Length
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/echo/big/x"))
            .POST(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofByteArrays(chunks)))
            .build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertError(r, 413, "body_too_large");
  }

  @Test
  void unparseableRequestGetsTheJsonErrorFormat() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket
          .getOutputStream()
          .write(
              "GET /echo/%ZZ/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String response =
          new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(response.startsWith("HTTP/1.1 400 Bad Request"), response);
      assertTrue(response.contains("Content-Type: application/json"), response);
      assertTrue(
          response.contains("{\"error\":\"bad_request\",\"message\":\"The request could not be parsed"),
          response);
    }
  }
}

package io.duro.testkit;

import com.typesafe.config.ConfigFactory;
import io.duro.api.DurableObject;
import io.duro.api.Namespace;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.runtime.Application;
import io.duro.runtime.ObjectBinding;
import io.duro.server.DuroConfig;
import io.duro.server.DuroServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real one-node Duro in the test's JVM: the runtime with an H2 file journal in a directory the
 * test chooses, and the HTTP gateway on a free loopback port. Restarting on the same directory
 * shows what survived.
 *
 * <pre>{@code
 * try (TestNode node = TestNode.start(tempDir, Map.of("counter", Counter.class))) {
 *   URI url = node.uri("/counter/a/increment");   // for an HTTP client
 *   Stub stub = node.namespace("counter").getByName("a");
 * }
 * }</pre>
 */
public final class TestNode implements AutoCloseable {

  private static final long WAIT_SECONDS = 60;

  private final DuroServer server;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** The node (for the testkit's own tests; not public API). */
  DuroServer server() {
    return server;
  }

  private TestNode(DuroServer server) {
    this.server = server;
  }

  /**
   * Starts a node serving the given classes.
   *
   * @param dataDir where the journal lives
   * @param bindings binding name → object class
   * @return the running node
   */
  public static TestNode start(Path dataDir, Map<String, Class<? extends DurableObject>> bindings) {
    return start(dataDir, bindings, Map.of());
  }

  /**
   * Starts a node serving the given classes with extra configuration.
   *
   * @param dataDir where the journal lives
   * @param bindings binding name → object class
   * @param settings configuration paths and values, e.g. {@code duro.runtime.idle-timeout = "1s"}
   * @return the running node
   */
  public static TestNode start(
      Path dataDir,
      Map<String, Class<? extends DurableObject>> bindings,
      Map<String, Object> settings) {
    List<ObjectBinding> list = new ArrayList<>();
    bindings.forEach((name, type) -> list.add(ObjectBinding.of(name, type)));
    return start(dataDir, new Application(list, Map.of()), settings);
  }

  /**
   * Starts a node serving an application — e.g. one with a Worker and variables, or one loaded
   * from a manifest with {@code Manifest.parse(json, "duro.json").load(loader, "test classes")}.
   *
   * <pre>{@code
   * Application app = new Application(List.of(ObjectBinding.of("ROOMS", Room.class)),
   *     Map.of("GREETING", "hi")).withWorker(Router.class);
   * try (TestNode node = TestNode.start(tempDir, app, Map.of())) { ... }
   * }</pre>
   *
   * @param dataDir where the journal lives
   * @param application what to serve
   * @param settings configuration paths and values
   * @return the running node
   */
  public static TestNode start(
      Path dataDir, Application application, Map<String, Object> settings) {
    return start(dataDir, application, settings, java.time.Clock.systemUTC());
  }

  /** Starts a node whose alarms follow {@code clock}. */
  static TestNode start(
      Path dataDir,
      Application application,
      Map<String, Object> settings,
      java.time.Clock clock) {
    Map<String, Object> overlay = new HashMap<>(settings);
    overlay.put("duro.data-dir", dataDir.toAbsolutePath().toString());
    overlay.putIfAbsent("duro.gateway.port", 0);
    overlay.putIfAbsent("duro.gateway.host", "127.0.0.1");
    try {
      DuroServer server =
          DuroServer.start(DuroConfig.load(ConfigFactory.parseMap(overlay)), application, clock)
              .toCompletableFuture()
              .get(DuroServer.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      return new TestNode(server);
    } catch (Exception e) {
      throw new IllegalStateException("The test node did not start: " + e, e);
    }
  }

  /**
   * The namespace bound under a name, for calling objects without HTTP.
   *
   * @param binding the binding name
   * @return the namespace
   */
  public Namespace namespace(String binding) {
    return server.runtime().namespace(binding);
  }

  /**
   * Sends a request to an object without HTTP, through a stub, and waits for the answer (60 s at
   * most).
   *
   * <pre>{@code
   * Response r = node.fetch("counter", "a", Request.post("/increment", ""));
   * }</pre>
   *
   * @param binding the binding name
   * @param name the object's name (its ID is {@code idFromName(name)})
   * @param request the request
   * @return the object's response
   */
  public Response fetch(String binding, String name, Request request) {
    return await(namespace(binding).getByName(name).fetch(request), "fetch " + request);
  }

  /**
   * Passivates an object now, as if it had been idle, and waits until every later event is sure
   * to reach a new instance rebuilt from storage. Its hibernatable WebSockets stay open.
   *
   * <pre>{@code
   * node.hibernate("chat", "lobby");
   * node.send("GET", "/chat/lobby/members", null);   // runs on a new instance
   * }</pre>
   *
   * @param binding the binding name
   * @param name the object's name
   */
  public void hibernate(String binding, String name) {
    String id = namespace(binding).idFromName(name).toString();
    await(server.runtime().passivate(binding, id), "hibernate " + binding + "/" + name);
  }

  /**
   * Opens a WebSocket to the gateway.
   *
   * @param path path and query, starting with {@code /}
   * @return the connected socket
   */
  public TestWebSocket webSocket(String path) {
    return TestWebSocket.connect(uri(path));
  }

  /** Wakes the objects whose alarms are due by the runtime's clock. */
  void wakeDueAlarms() {
    await(server.runtime().wakeDueAlarms(), "waking due alarms");
  }

  /** Whether an alarm (or retry) is still due at or before {@code now}. */
  java.util.List<String> alarmsDueBy(java.time.Instant now) {
    return await(server.runtime().pendingAlarms(now, 10), "reading due alarms").stream()
        .map(a -> a.binding() + " " + a.objectId() + " due " + a.dueAt())
        .toList();
  }

  /** The cluster address of this node, for the seed-node list of the others. */
  String clusterAddress() {
    return server.system().address().toString();
  }

  /** Begins to stop the node. */
  java.util.concurrent.CompletionStage<?> terminate() {
    server.system().terminate();
    return server.whenTerminated();
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + " did not complete within " + WAIT_SECONDS + " s", e);
    }
  }

  /**
   * The gateway's port.
   *
   * @return the port on 127.0.0.1
   */
  public int port() {
    return server.port();
  }

  /**
   * A URL on the gateway.
   *
   * @param path path and query, starting with {@code /}
   * @return the URL
   */
  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /**
   * Sends an HTTP request to the gateway and waits for the answer (HTTP/1.1, 60 s at most).
   *
   * <pre>{@code
   * HttpResponse<String> r = node.send("POST", "/counter/a/increment", null);
   * }</pre>
   *
   * @param method the HTTP method
   * @param path path and query, starting with {@code /}
   * @param body the body as UTF-8 text, or null for none
   * @return the response with its body as text
   */
  public HttpResponse<String> send(String method, String path, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(uri(path))
            .timeout(java.time.Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + path, e);
    }
  }

  /** Stops the node. */
  @Override
  public void close() {
    server.close();
  }
}

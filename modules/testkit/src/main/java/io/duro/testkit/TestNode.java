package io.duro.testkit;

import com.typesafe.config.ConfigFactory;
import io.duro.api.DurableObject;
import io.duro.api.Namespace;
import io.duro.gateway.DuroConfig;
import io.duro.gateway.DuroServer;
import io.duro.runtime.Application;
import io.duro.runtime.ObjectBinding;
import java.net.URI;
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

  private final DuroServer server;

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
    Map<String, Object> overlay = new HashMap<>(settings);
    overlay.put("duro.data-dir", dataDir.toAbsolutePath().toString());
    overlay.putIfAbsent("duro.gateway.port", 0);
    overlay.putIfAbsent("duro.gateway.host", "127.0.0.1");
    try {
      DuroServer server =
          DuroServer.start(DuroConfig.load(ConfigFactory.parseMap(overlay)), application)
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

  /** Stops the node. */
  @Override
  public void close() {
    server.close();
  }
}

package io.duro.testkit;

import io.duro.api.DurableObject;
import io.duro.api.Namespace;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import io.duro.api.Worker;
import io.duro.runtime.Application;
import io.duro.runtime.ObjectBinding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs your object classes on a real Duro — the runtime, the HTTP gateway
 * and a fresh H2 journal in a temporary directory — with a clock the test moves, so that alarms
 * fire when the test says so.
 *
 * <pre>{@code
 * class CounterTest {
 *   @RegisterExtension
 *   static DuroExtension duro = DuroExtension.builder().bind("counter", Counter.class).build();
 *
 *   @Test
 *   void incrementCounts() {
 *     assertEquals("{\"value\":1}", duro.send("POST", "/counter/a/increment", null).body());
 *     duro.advanceTime(Duration.ofMinutes(5));   // fires every alarm due by then, and waits
 *     duro.hibernate("counter", "a");            // the next request runs on a new instance
 *     assertEquals("{\"value\":1}", duro.send("GET", "/counter/a", null).body());
 *   }
 * }
 * }</pre>
 *
 * <p>In a {@code static} field the node(s) start once for the test class; in an instance field,
 * once per test. {@link Builder#nodes(int) nodes(3)} starts a cluster of three nodes in the
 * test's JVM that share one journal; {@link #node(int)} reaches each node's gateway.
 *
 * <p>Time: the runtime's clock stands still from the start (at the real time then) and moves only
 * with {@link #advanceTime(Duration)}. Objects read it with {@code state.clock()}; an object that
 * reads the system clock instead sees real time. {@link Builder#systemClock()} runs on real time.
 */
public final class DuroExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final Duration ALARM_WAIT = Duration.ofSeconds(30);

  private final Application application;
  private final Map<String, Object> settings;
  private final int nodeCount;
  private final boolean systemClock;

  private Path dataDir;
  private Clock clock;
  private final List<TestNode> nodes = new ArrayList<>();
  private boolean perTest;

  private DuroExtension(Builder b) {
    List<ObjectBinding> bindings = new ArrayList<>();
    b.bindings.forEach((name, type) -> bindings.add(ObjectBinding.of(name, type)));
    Application app = new Application(bindings, b.vars);
    this.application = b.worker == null ? app : app.withWorker(b.worker);
    this.settings = Map.copyOf(b.settings);
    this.nodeCount = b.nodes;
    this.systemClock = b.systemClock;
  }

  /**
   * Starts describing the objects to run.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** What the extension runs: bindings, Worker, variables, settings, nodes, clock. */
  public static final class Builder {
    private final Map<String, Class<? extends DurableObject>> bindings = new LinkedHashMap<>();
    private final Map<String, String> vars = new LinkedHashMap<>();
    private final Map<String, Object> settings = new HashMap<>();
    private Class<? extends Worker> worker;
    private int nodes = 1;
    private boolean systemClock;

    private Builder() {}

    /**
     * Binds an object class under a name ({@code /{binding}/{name}/…} on the gateway).
     *
     * @param binding the binding name
     * @param objectClass the class
     * @return this builder
     */
    public Builder bind(String binding, Class<? extends DurableObject> objectClass) {
      bindings.put(binding, objectClass);
      return this;
    }

    /**
     * Binds several classes.
     *
     * @param all binding name → class
     * @return this builder
     */
    public Builder bindAll(Map<String, Class<? extends DurableObject>> all) {
      bindings.putAll(all);
      return this;
    }

    /**
     * Serves a Worker in front of the objects (as {@code duro.json} "worker" does).
     *
     * @param workerClass the Worker
     * @return this builder
     */
    public Builder worker(Class<? extends Worker> workerClass) {
      this.worker = workerClass;
      return this;
    }

    /**
     * Adds an environment variable ({@code env.var(name)}).
     *
     * @param name the name
     * @param value the value
     * @return this builder
     */
    public Builder var(String name, String value) {
      vars.put(name, value);
      return this;
    }

    /**
     * Sets a configuration value, e.g. {@code setting("duro.runtime.alarms.max-retries", 2)}.
     *
     * @param path the configuration path
     * @param value the value
     * @return this builder
     */
    public Builder setting(String path, Object value) {
      settings.put(path, value);
      return this;
    }

    /**
     * Runs a cluster of {@code count} nodes in the test's JVM, sharing one journal (default 1).
     *
     * @param count from 1 to 5
     * @return this builder
     * @throws IllegalArgumentException for another count
     */
    public Builder nodes(int count) {
      if (count < 1 || count > 5) {
        throw new IllegalArgumentException(
            "A test cluster has from 1 to 5 nodes; " + count + " was given");
      }
      this.nodes = count;
      return this;
    }

    /**
     * Runs on the system clock: alarms fire in real time and {@link #advanceTime} is refused.
     *
     * @return this builder
     */
    public Builder systemClock() {
      this.systemClock = true;
      return this;
    }

    /**
     * Builds the extension; register it with {@code @RegisterExtension}.
     *
     * @return the extension
     * @throws IllegalStateException when nothing is bound
     */
    public DuroExtension build() {
      if (bindings.isEmpty()) {
        throw new IllegalStateException(
            "Bind at least one object class: DuroExtension.builder().bind(\"name\", MyObject.class)");
      }
      return new DuroExtension(this);
    }
  }

  // ---- JUnit lifecycle ------------------------------------------------------------------------

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (nodes.isEmpty()) {
      perTest = true;
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      stop();
    }
  }

  private void start() {
    try {
      dataDir = Files.createTempDirectory("duro-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    clock =
        systemClock
            ? Clock.systemUTC()
            : new ManualClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    startNodes();
  }

  private void startNodes() {
    try {
      TestNode first = TestNode.start(dataDir, application, nodeSettings(List.of()), clock);
      nodes.add(first);
      if (nodeCount > 1) {
        List<String> seeds = List.of(first.clusterAddress());
        List<CompletableFuture<TestNode>> others = new ArrayList<>();
        for (int i = 1; i < nodeCount; i++) {
          others.add(
              CompletableFuture.supplyAsync(
                  () -> TestNode.start(dataDir, application, nodeSettings(seeds), clock)));
        }
        for (CompletableFuture<TestNode> other : others) {
          nodes.add(other.join());
        }
      }
    } catch (RuntimeException e) {
      stopNodes();
      throw e;
    }
  }

  private Map<String, Object> nodeSettings(List<String> seeds) {
    Map<String, Object> s = new HashMap<>(settings);
    if (nodeCount > 1) {
      s.put("pekko.cluster.seed-nodes", seeds);
      s.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    }
    return s;
  }

  private void stop() {
    perTest = false;
    stopNodes();
    if (dataDir != null) {
      deleteRecursively(dataDir);
      dataDir = null;
    }
  }

  private void stopNodes() {
    List<CompletableFuture<?>> stopped = new ArrayList<>();
    for (TestNode node : nodes) {
      stopped.add(node.terminate().toCompletableFuture());
    }
    nodes.clear();
    try {
      CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("The test nodes did not stop within 60 s: " + e, e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }

  // ---- what tests call ------------------------------------------------------------------------

  /**
   * Sends an HTTP request through the first node's gateway and waits for the answer.
   *
   * @param method the HTTP method
   * @param path path and query, starting with {@code /}
   * @param body the body as UTF-8 text, or null for none
   * @return the response with its body as text
   */
  public HttpResponse<String> send(String method, String path, String body) {
    return node(0).send(method, path, body);
  }

  /**
   * Sends a request to an object through a stub (no HTTP) and waits for its response.
   *
   * <pre>{@code
   * Response r = duro.fetch("counter", "a", Request.post("/increment", ""));
   * }</pre>
   *
   * @param binding the binding name
   * @param name the object's name
   * @param request the request
   * @return the response
   */
  public Response fetch(String binding, String name, Request request) {
    return node(0).fetch(binding, name, request);
  }

  /**
   * A stub of an object, addressed by name.
   *
   * @param binding the binding name
   * @param name the object's name
   * @return the stub
   */
  public Stub stub(String binding, String name) {
    return namespace(binding).getByName(name);
  }

  /**
   * The namespace of a binding, as objects and Workers see it.
   *
   * @param binding the binding name
   * @return the namespace
   */
  public Namespace namespace(String binding) {
    return node(0).namespace(binding);
  }

  /**
   * A URL on the first node's gateway, for your own HTTP client.
   *
   * @param path path and query, starting with {@code /}
   * @return the URL
   */
  public URI uri(String path) {
    return node(0).uri(path);
  }

  /**
   * Opens a WebSocket through the first node's gateway.
   *
   * @param path path and query, starting with {@code /}
   * @return the connected socket (close it, e.g. in try-with-resources)
   */
  public TestWebSocket webSocket(String path) {
    return node(0).webSocket(path);
  }

  /**
   * The current time of the runtime's clock.
   *
   * @return now
   */
  public Instant now() {
    return clock().instant();
  }

  /**
   * Moves the clock forward, then fires every alarm (and alarm retry) due by the new time and
   * waits until each ran and its effects are durable. Alarms that these runs set at or before the
   * new time run too. {@code advanceTime(Duration.ZERO)} fires what is already due.
   *
   * @param by how far, at least 0
   * @throws IllegalArgumentException for a negative duration
   * @throws IllegalStateException on the system clock, or if alarms are still due after 30 s
   *     (e.g. an alarm that keeps setting itself in the past)
   */
  public void advanceTime(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("Time moves forward only; " + by + " was given");
    }
    if (!(clock() instanceof ManualClock manual)) {
      throw new IllegalStateException(
          "advanceTime needs the test clock; this extension was built with systemClock()");
    }
    manual.advance(by);
    Instant now = manual.instant();
    long deadline = System.nanoTime() + ALARM_WAIT.toNanos();
    while (true) {
      node(0).wakeDueAlarms();
      List<String> due = node(0).alarmsDueBy(now);
      if (due.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Alarms due by " + now + " had not run after " + ALARM_WAIT.toSeconds() + " s: " + due);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while alarms ran", e);
      }
    }
  }

  /**
   * Passivates an object now, as if it had been idle, so that its next event runs on a new
   * instance rebuilt from its storage (hibernatable WebSockets stay open).
   *
   * @param binding the binding name
   * @param name the object's name
   */
  public void hibernate(String binding, String name) {
    node(0).hibernate(binding, name);
  }

  /**
   * Stops every node and starts them again on the same journal: what survives is what was
   * durable. The clock keeps its time.
   */
  public void restart() {
    requireRunning();
    stopNodes();
    startNodes();
  }

  /**
   * A node of the test cluster (node 0 is the first one started).
   *
   * @param index from 0
   * @return the node
   */
  public TestNode node(int index) {
    requireRunning();
    if (index < 0 || index >= nodes.size()) {
      throw new IllegalArgumentException(
          "This test runs " + nodes.size() + " node(s); node " + index + " was asked for");
    }
    return nodes.get(index);
  }

  /**
   * The running nodes.
   *
   * @return the nodes, first started first
   */
  public List<TestNode> nodes() {
    requireRunning();
    return List.copyOf(nodes);
  }

  /**
   * The directory of the journal.
   *
   * @return the directory, or empty when not running
   */
  public Optional<Path> dataDir() {
    return Optional.ofNullable(dataDir);
  }

  private Clock clock() {
    requireRunning();
    return clock;
  }

  private void requireRunning() {
    if (nodes.isEmpty()) {
      throw new IllegalStateException(
          "The Duro test node is not running; register the extension with @RegisterExtension"
              + " and use it inside tests");
    }
  }
}

package io.duro.gateway;

import io.duro.api.DurableObjectId;
import io.duro.api.DuroException;
import io.duro.api.Headers;
import io.duro.api.Namespace;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Worker;
import io.duro.runtime.DuroRuntime;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway of a node: routes each request to its object with the default router (DESIGN
 * §9) and turns failures into JSON errors.
 *
 * <p>When the application has a {@link Worker}, every request except {@code /_duro/...} goes to
 * its {@code fetch} with the full path instead; a Worker that throws (or whose stage fails with
 * anything but a {@link DuroException}) answers 500 {@code worker_error}.
 *
 * <ul>
 *   <li>{@code /{binding}/{name}/{rest…}} → {@code idFromName(name)}, the object sees {@code
 *       /{rest…}};
 *   <li>{@code /{binding}/id/{hex}/{rest…}} → {@code idFromString(hex)};
 *   <li>{@code /_duro/...} → the admin API ({@link AdminRoutes}); {@code GET /_duro/health} → 200
 *       once the node serves requests, 503 while it shuts down.
 * </ul>
 *
 * A body larger than {@code duro.gateway.max-body-bytes} is refused with 413 before any object sees
 * it.
 *
 * <p>Graceful shutdown (SIGTERM, {@code ActorSystem.terminate}) runs Pekko's coordinated shutdown;
 * the gateway takes part in it: in the unbind phase it stops accepting connections, then answers
 * every request on the open ones with 503 {@code shutting_down} ({@code Retry-After: 1}, {@code
 * Connection: close}) so clients and load balancers go to another node, closes its WebSockets with
 * 1001 (going away) and ends its event streams, so that their clients reconnect elsewhere, and
 * keeps the open connections for up to {@code duro.gateway.shutdown-drain} (less once no request
 * comes), so that each client still sending on one gets that answer; then it closes the idle
 * connections and waits up to {@code
 * duro.gateway.shutdown-deadline} for the requests in flight. Only after that does Cluster Sharding
 * hand this node's objects over to the other nodes (a later phase).
 */
public final class Gateway {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final DuroRuntime runtime;
  private final GatewaySettings settings;
  private final Materializer materializer;
  private final AdminRoutes admin;
  private final Worker worker;
  private final ConnectionRoutes connections;
  private final StaticAssets assets;
  /** Parsed Content-Type values of responses, at most {@link #MAX_CACHED_CONTENT_TYPES}. */
  private final Map<String, ContentType> contentTypes = new ConcurrentHashMap<>();
  private static final int MAX_CACHED_CONTENT_TYPES = 256;
  private ServerBinding binding;
  // Set once by coordinated shutdown, read by request threads.
  private volatile boolean shuttingDown;
  // While shutting down: when the last request was answered 503 shutting_down (System.nanoTime).
  private volatile long lastRefusedNanos;

  private Gateway(DuroRuntime runtime, GatewaySettings settings, Worker worker) {
    this.runtime = runtime;
    this.settings = settings;
    this.materializer = Materializer.matFromSystem(runtime.system());
    this.admin = new AdminRoutes(runtime);
    this.worker = worker;
    this.connections =
        new ConnectionRoutes(
            runtime.connections(),
            ConnectionRoutes.Limits.from(runtime.system().settings().config()));
    this.assets = assetsOf(runtime, worker);
  }

  private static StaticAssets assetsOf(DuroRuntime runtime, Worker worker) {
    if (worker != null) {
      return StaticAssets.of(worker.getClass());
    }
    var bindings = runtime.application().bindings();
    return bindings.isEmpty()
        ? StaticAssets.none()
        : StaticAssets.of(bindings.get(0).objectClass());
  }

  /**
   * Binds the gateway.
   *
   * @param runtime the node's runtime
   * @param settings where to bind and the limits
   * @return the bound gateway
   */
  public static CompletionStage<Gateway> start(DuroRuntime runtime, GatewaySettings settings) {
    return start(runtime, settings, null);
  }

  /**
   * Binds the gateway in front of a Worker.
   *
   * @param runtime the node's runtime
   * @param settings where to bind and the limits
   * @param worker receives every request except {@code /_duro/...}; null for the default router
   * @return the bound gateway
   */
  public static CompletionStage<Gateway> start(
      DuroRuntime runtime, GatewaySettings settings, Worker worker) {
    Gateway gateway = new Gateway(runtime, settings, worker);
    return Http.get(runtime.system())
        .newServerAt(settings.host(), settings.port())
        .bind(gateway::handle)
        .thenApply(
            b -> {
              gateway.binding = b;
              gateway.joinCoordinatedShutdown();
              return gateway;
            });
  }

  private void joinCoordinatedShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(runtime.system());
    // Unbind first: from then on a client's new connection is refused (it knows nothing was
    // sent). Had the requests been answered 503 with Connection: close before, their clients
    // would open new connections at once, and any being accepted at the moment of the unbind
    // would be closed unanswered.
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(),
        "duro-gateway-unbind-refuse-and-drain",
        () ->
            binding
                .unbind()
                .thenCompose(
                    done -> {
                      lastRefusedNanos = System.nanoTime();
                      shuttingDown = true;
                      int closed =
                          runtime.connections().closeAll(1001, "the node is shutting down");
                      log.info(
                          "Shutting down: the gateway is unbound, requests on open connections"
                              + " are answered 503 shutting_down, {} WebSockets and event"
                              + " streams closed (1001)",
                          closed);
                      return drain(lastRefusedNanos);
                    }));
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "duro-gateway-finish-in-flight-requests",
        () -> binding.terminate(settings.shutdownDeadline()).thenApply(t -> Done.getInstance()));
  }

  /**
   * Completes once the shutdown drain is over: {@code duro.gateway.shutdown-drain} after {@code
   * since}, or sooner once no request came for a fifth of it. The port is unbound (new
   * connections are refused: the client knows nothing was sent) but the open connections stay
   * open, and each request on one is answered 503 {@code shutting_down} with {@code Connection:
   * close}: a client that is sending learns on a request that provably did not run, instead of
   * finding its kept-alive connection closed under a request it has just written. As no new
   * connection can be made, the open ones only get fewer; the idle ones left are closed after.
   */
  private CompletionStage<Done> drain(long since) {
    long drainNanos = settings.shutdownDrain().toNanos();
    long quietNanos = drainNanos / 5;
    CompletableFuture<Done> drained = new CompletableFuture<>();
    java.time.Duration tick = java.time.Duration.ofMillis(Math.max(1, quietNanos / 4_000_000));
    org.apache.pekko.actor.Cancellable poll =
        runtime
            .system()
            .scheduler()
            .scheduleAtFixedRate(
                java.time.Duration.ZERO,
                tick,
                () -> {
                  long now = System.nanoTime();
                  if (now - since >= drainNanos || now - lastRefusedNanos >= quietNanos) {
                    drained.complete(Done.getInstance());
                  }
                },
                runtime.system().executionContext());
    drained.whenComplete((done, error) -> poll.cancel());
    return drained;
  }

  /**
   * Whether coordinated shutdown has started (the gateway answers 503 to new requests).
   *
   * @return true once the node shuts down
   */
  public boolean isShuttingDown() {
    return shuttingDown;
  }

  /**
   * The port the gateway listens on.
   *
   * @return the port
   */
  public int port() {
    return binding.localAddress().getPort();
  }

  /**
   * Stops accepting connections.
   *
   * @return completes when unbound
   */
  public CompletionStage<Void> stop() {
    return binding.unbind().thenApply(done -> null);
  }

  private CompletionStage<HttpResponse> handle(HttpRequest http) {
    try {
      return route(http);
    } catch (DuroException e) {
      http.discardEntityBytes(materializer);
      return CompletableFuture.completedFuture(ErrorBody.of(e));
    } catch (RuntimeException e) {
      log.error("Gateway failed on {} {}", http.method().name(), http.getUri().path(), e);
      http.discardEntityBytes(materializer);
      return CompletableFuture.completedFuture(
          ErrorBody.of("internal", "The gateway failed: " + e));
    }
  }

  private CompletionStage<HttpResponse> route(HttpRequest http) {
    String path = http.getUri().getPathString();
    String method = http.method().name();
    if (shuttingDown) {
      lastRefusedNanos = System.nanoTime();
      http.discardEntityBytes(materializer);
      return done(
          ErrorBody.of(
                  "shutting_down",
                  "This node is shutting down and takes no new requests; retry on another node",
                  java.time.Duration.ofSeconds(1))
              .addHeader(Connection.create("close")));
    }
    if (path.startsWith(AdminRoutes.PREFIX)) {
      http.discardEntityBytes(materializer);
      return admin.handle(http, path, method);
    }
    if (method.equals("GET") || method.equals("HEAD")) {
      HttpResponse asset = assets.find(path);
      if (asset != null) {
        http.discardEntityBytes(materializer);
        return done(asset);
      }
    }
    if (method.equals("TRACE") || method.equals("CONNECT")) {
      http.discardEntityBytes(materializer);
      return done(
          ErrorBody.of("method_not_allowed", method + " is not supported by the gateway")
              .addHeader(RawHeader.create("Allow", "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS")));
    }
    String query = http.getUri().rawQueryString().map(q -> "?" + q).orElse("");
    Target target = worker == null ? resolve(path) : null;
    String url = (worker == null ? target.rest() : path) + query;
    Optional<Long> declared = http.entity().getContentLengthOption().stream().boxed().findFirst();
    if (declared.isPresent() && declared.get() > settings.maxBodyBytes()) {
      http.discardEntityBytes(materializer);
      return done(tooLarge(declared.get()));
    }
    Optional<WebSocketUpgrade> upgrade = http.getAttribute(AttributeKeys.webSocketUpgrade);
    String connection =
        upgrade.isPresent() || acceptsEventStream(http) ? runtime.connections().open() : null;
    if (http.entity() instanceof HttpEntity.Strict whole) {
      // The body arrived whole (always for an empty one): toStrict would materialize a stream
      // per request (15% of a hot-get's CPU in a profile, docs/benchmarks.md). Its size was
      // checked above against the Content-Length that a strict entity always has.
      CompletionStage<Response> response;
      try {
        Request request =
            new Request(method, url, headersOf(http), whole.getData().toArray(), connection);
        response = dispatch(target, request);
      } catch (RuntimeException e) {
        response = CompletableFuture.failedFuture(e);
      }
      return connection == null
          ? response.handleAsync(this::toHttp, Runnable::run)
          : response.handleAsync(
              (r, e) -> connections.answer(connection, upgrade.orElse(null), r, e, this::toHttp),
              Runnable::run);
    }
    if (connection != null) {
      runtime.connections().release(connection); // a request with a body opens no connection
    }
    return http.entity()
        .toStrict(settings.bodyTimeout().toMillis(), settings.maxBodyBytes(), materializer)
        // Explicit same-thread executor: see STACK.md's thread-per-request trap.
        .thenComposeAsync(
            strict -> {
              Request request =
                  new Request(method, url, headersOf(http), strict.getData().toArray());
              return dispatch(target, request);
            },
            Runnable::run)
        .handleAsync(this::toHttp, Runnable::run);
  }

  /** The Worker when the application has one, else the object the default router chose. */
  private CompletionStage<Response> dispatch(Target target, Request request) {
    if (worker != null) {
      return callWorker(request);
    }
    List<String> hints = request.headers().all(LOCATION_HINT);
    if (hints.size() > 1) {
      throw new io.duro.api.InvalidArgumentException(
          "Send at most one " + LOCATION_HINT + " header; " + hints.size() + " were sent: " + hints);
    }
    return (hints.isEmpty()
            ? target.namespace().get(target.id())
            : target.namespace().get(target.id(), hints.get(0).trim()))
        .fetch(request);
  }

  /** The request header that names the region of a new object (the default router's hint). */
  static final String LOCATION_HINT = "Duro-Location-Hint";

  /** Runs the Worker; any failure but a DuroException becomes a {@link WorkerException}. */
  private CompletionStage<Response> callWorker(Request request) {
    CompletionStage<Response> stage;
    try {
      stage = worker.fetch(request, runtime.env());
      if (stage == null) {
        throw new IllegalStateException(
            worker.getClass().getName() + ".fetch returned null instead of a CompletionStage");
      }
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.handle(
        (response, error) -> {
          Throwable cause = DuroServer.unwrap(error);
          if (cause == null && response == null) {
            cause = new IllegalStateException(
                worker.getClass().getName() + ".fetch completed with null instead of a Response");
          }
          if (cause == null) {
            return response;
          }
          if (cause instanceof DuroException e) {
            throw e;
          }
          log.warn("Worker {} failed on {}", worker.getClass().getName(), request, cause);
          throw new WorkerException(
              "The Worker "
                  + worker.getClass().getName()
                  + " threw "
                  + cause.getClass().getName()
                  + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
              cause);
        });
  }

  private HttpResponse tooLarge(long size) {
    return ErrorBody.of(
        "body_too_large",
        "Request bodies cannot be larger than "
            + settings.maxBodyBytes()
            + " bytes"
            + (size >= 0 ? "; a body of " + size + " bytes was sent." : "."));
  }

  private HttpResponse toHttp(Response response, Throwable error) {
    if (error == null) {
      return render(response);
    }
    Throwable cause = DuroServer.unwrap(error);
    if (cause instanceof DuroException e) {
      return ErrorBody.of(e);
    }
    if (cause instanceof EntityStreamSizeException) {
      return tooLarge(-1);
    }
    if (cause instanceof EntityStreamException e) {
      // toStrict's size limit on a body without Content-Length (chunked) ends up here
      String message = String.valueOf(e.getMessage());
      return message.startsWith("Request too large")
          ? tooLarge(-1)
          : ErrorBody.of("bad_request", "The request body could not be read: " + message);
    }
    log.error("Request failed in the gateway", cause);
    return ErrorBody.of("internal", "The gateway failed: " + cause);
  }

  private record Target(Namespace namespace, DurableObjectId id, String rest) {}

  /** The default router: binding, then a name or {@code id/<hex>}, then the object's path. */
  private Target resolve(String rawPath) {
    List<String> segments = new ArrayList<>(List.of(rawPath.split("/", -1)));
    if (!segments.isEmpty() && segments.get(0).isEmpty()) {
      segments.remove(0);
    }
    if (segments.isEmpty() || segments.get(0).isEmpty()) {
      throw notFound("No object route at " + rawPath + "; use /{binding}/{name}/... ");
    }
    String bindingName = decode(segments.get(0));
    Namespace namespace = runtime.namespace(bindingName);
    if (segments.size() < 2 || segments.get(1).isEmpty()) {
      throw notFound("Missing object name: use /" + bindingName + "/{name}/... or /"
          + bindingName + "/id/{hex}/...");
    }
    DurableObjectId id;
    int restStart;
    if (segments.get(1).equals("id")) {
      if (segments.size() < 3 || segments.get(2).isEmpty()) {
        throw notFound("Missing object ID: use /" + bindingName + "/id/{64 hex digits}/...");
      }
      id = namespace.idFromString(segments.get(2));
      restStart = 3;
    } else {
      id = namespace.idFromName(decode(segments.get(1)));
      restStart = 2;
    }
    String rest = "/" + String.join("/", segments.subList(Math.min(restStart, segments.size()),
        segments.size()));
    if (rest.startsWith("/_duro/")) {
      throw notFound("Object paths under /_duro/ are reserved for Duro's typed RPC; " + rawPath
          + " cannot be routed");
    }
    return new Target(namespace, id, rest);
  }

  private static DuroException notFound(String message) {
    return new NotFoundException(message);
  }

  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new io.duro.api.InvalidArgumentException(
          "Malformed percent-encoding in path segment '" + segment + "'", e);
    }
  }

  private static boolean acceptsEventStream(HttpRequest http) {
    return http.method().name().equals("GET")
        && http.getHeader("Accept")
            .map(h -> h.value().toLowerCase(java.util.Locale.ROOT).contains("text/event-stream"))
            .orElse(false);
  }

  private static Headers headersOf(HttpRequest http) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (HttpHeader h : http.getHeaders()) {
      if (h.name().equals("UpgradeToWebSocket")) {
        continue; // Pekko's internal handle on the upgrade, not a header the client sent
      }
      map.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h.value());
    }
    ContentType type = http.entity().getContentType();
    if (!type.equals(ContentTypes.NO_CONTENT_TYPE)) {
      map.put("Content-Type", List.of(type.toString()));
    }
    return Headers.of(map);
  }

  private HttpResponse render(Response response) {
    ContentType type = ContentTypes.APPLICATION_OCTET_STREAM;
    List<HttpHeader> headers = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : response.headers().asMap().entrySet()) {
      String name = e.getKey();
      if (name.equalsIgnoreCase("Content-Type")) {
        type = parseContentType(e.getValue().get(0));
      } else if (!name.equalsIgnoreCase("Content-Length")
          && !name.equalsIgnoreCase("Transfer-Encoding")
          && !name.equalsIgnoreCase("Date")
          && !name.equalsIgnoreCase(Response.CONNECTION_HEADER)
          && !name.equalsIgnoreCase("Server")
          && !name.equalsIgnoreCase("Connection")) {
        for (String v : e.getValue()) {
          headers.add(RawHeader.create(name, v));
        }
      }
    }
    HttpEntity.Strict entity =
        org.apache.pekko.http.javadsl.model.HttpEntities.create(type, response.body());
    return HttpResponse.create()
        .withStatus(response.status())
        .withEntity(entity)
        .addHeaders(headers);
  }

  private ContentType parseContentType(String value) {
    // Parsing a Content-Type costs about as much as the rest of render(); objects answer with
    // a handful of distinct values, so the parsed ones are kept (a bounded number of them).
    ContentType known = contentTypes.get(value);
    if (known != null) {
      return known;
    }
    ContentType parsed;
    try {
      parsed = ContentTypes.parse(value);
    } catch (RuntimeException e) {
      parsed = ContentTypes.APPLICATION_OCTET_STREAM;
    }
    if (contentTypes.size() < MAX_CACHED_CONTENT_TYPES) {
      contentTypes.put(value, parsed);
    }
    return parsed;
  }



  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  /** The application's Worker failed: HTTP 500 {@code worker_error}. */
  static final class WorkerException extends DuroException {
    private static final long serialVersionUID = 1L;

    WorkerException(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public String code() {
      return "worker_error";
    }
  }

  /** No route for the path. */
  static final class NotFoundException extends DuroException {
    private static final long serialVersionUID = 1L;

    NotFoundException(String message) {
      super(message);
    }

    @Override
    public String code() {
      return "not_found";
    }
  }
}

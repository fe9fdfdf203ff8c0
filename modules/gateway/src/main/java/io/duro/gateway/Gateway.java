package io.duro.gateway;

import io.duro.api.DuroException;
import io.duro.api.Headers;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Worker;
import io.duro.gateway.DefaultRouter.Target;
import io.duro.runtime.DuroRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway of a node: routes each request to its object with the default router ({@link
 * DefaultRouter}) and turns failures into JSON errors.
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
  /** The methods the gateway passes on, named when it refuses TRACE or CONNECT. */
  private static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";

  private final DuroRuntime runtime;
  private final GatewaySettings settings;
  private final Materializer materializer;
  private final AdminRoutes admin;
  private final Worker worker;
  private final ConnectionRoutes connections;
  private final StaticAssets assets;
  private final DefaultRouter router;
  private final ResponseRenderer renderer = new ResponseRenderer();
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
            ConnectionRoutes.Limits.from(runtime.system().settings().config()),
            settings.websocketFork());
    this.assets = assetsOf(runtime, worker);
    this.router = new DefaultRouter(runtime);
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

  /**
   * The gateway's dispatch. {@link #answerHere} is the table of the answers the gateway gives
   * itself; what it leaves goes on to {@link #forward}, the one route that reads the request's
   * body. Every other answer, and every refusal, leaves the body unread, and it is discarded
   * here, the one place that does.
   */
  private CompletionStage<HttpResponse> handle(HttpRequest http) {
    String path = http.getUri().getPathString();
    String method = http.method().name();
    CompletionStage<HttpResponse> answer;
    try {
      answer = answerHere(http, path, method);
      if (answer == null) {
        return forward(http, path, method);
      }
    } catch (DuroException e) {
      answer = done(ErrorBody.of(e));
    } catch (RuntimeException e) {
      log.error("Gateway failed on {} {}", method, path, e);
      answer = done(ErrorBody.of("internal", "The gateway failed: " + e));
    }
    http.discardEntityBytes(materializer);
    return answer;
  }

  /**
   * The answers that need neither the body nor an object: while shutting down, the admin API, a
   * static asset, a method the gateway refuses.
   *
   * @return the answer, or null when the request goes on to an object or the Worker
   */
  private CompletionStage<HttpResponse> answerHere(HttpRequest http, String path, String method) {
    if (shuttingDown) {
      lastRefusedNanos = System.nanoTime();
      return done(
          ErrorBody.of(
                  "shutting_down",
                  "This node is shutting down and takes no new requests; retry on another node",
                  java.time.Duration.ofSeconds(1))
              .addHeader(Connection.create("close")));
    }
    if (path.startsWith(AdminRoutes.PREFIX)) {
      return admin.handle(http, path, method);
    }
    return switch (method) {
      case "GET", "HEAD" -> {
        HttpResponse asset = assets.find(path);
        yield asset == null ? null : done(asset);
      }
      case "TRACE", "CONNECT" ->
          done(
              ErrorBody.of("method_not_allowed", method + " is not supported by the gateway")
                  .addHeader(RawHeader.create("Allow", ALLOWED_METHODS)));
      default -> null;
    };
  }

  /**
   * Reads the body and hands the request to the Worker or the object the default router chose.
   *
   * @throws DuroException before the body is read, for a bad route or a body declared too large
   */
  private CompletionStage<HttpResponse> forward(HttpRequest http, String path, String method) {
    String query = http.getUri().rawQueryString().map(q -> "?" + q).orElse("");
    Target target = worker == null ? router.resolve(path) : null;
    String url = (worker == null ? target.rest() : path) + query;
    OptionalLong declared = http.entity().getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > settings.maxBodyBytes()) {
      throw tooLarge(declared.getAsLong());
    }
    Optional<WebSocketUpgrade> upgrade = http.getAttribute(AttributeKeys.webSocketUpgrade);
    String connection =
        upgrade.isPresent() || acceptsEventStream(http) ? runtime.connections().open() : null;
    if (http.entity() instanceof HttpEntity.Strict whole) {
      // The body arrived whole (always for an empty one): toStrict would materialize a stream
      // per request. Its size was checked above against the Content-Length that a strict entity
      // always has.
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
        // A same-thread executor: the default one would hand every request to another thread.
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
    return worker != null ? callWorker(request) : target.fetch(request);
  }

  /** Runs the Worker; any failure but a DuroException becomes 500 {@code worker_error}. */
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
          Throwable cause = unwrap(error);
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
          throw new GatewayException(
              "worker_error",
              "The Worker "
                  + worker.getClass().getName()
                  + " threw "
                  + cause.getClass().getName()
                  + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
              cause);
        });
  }

  private GatewayException tooLarge(long size) {
    return new GatewayException(
        "body_too_large",
        "Request bodies cannot be larger than "
            + settings.maxBodyBytes()
            + " bytes"
            + (size >= 0 ? "; a body of " + size + " bytes was sent." : "."));
  }

  private HttpResponse toHttp(Response response, Throwable error) {
    if (error == null) {
      return renderer.render(response);
    }
    Throwable cause = unwrap(error);
    if (cause instanceof DuroException e) {
      return ErrorBody.of(e);
    }
    if (cause instanceof EntityStreamSizeException) {
      return ErrorBody.of(tooLarge(-1));
    }
    if (cause instanceof EntityStreamException e) {
      // toStrict's size limit on a body without Content-Length (chunked) ends up here
      String message = String.valueOf(e.getMessage());
      return message.startsWith("Request too large")
          ? ErrorBody.of(tooLarge(-1))
          : ErrorBody.of("bad_request", "The request body could not be read: " + message);
    }
    log.error("Request failed in the gateway", cause);
    return ErrorBody.of("internal", "The gateway failed: " + cause);
  }

  /** The failure inside {@link CompletionException} wrappers (null stays null). */
  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
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

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}

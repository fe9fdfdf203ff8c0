package io.duro.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Worker;
import io.duro.runtime.Application;
import io.duro.runtime.ObjectBinding;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway in front of a {@link Worker}: routing, answers of its own, and failures. */
class WorkerGatewayTest {

  /** Routes /echo/{name}/… to the echo object; other paths answer or fail on purpose. */
  public static final class Router implements Worker {
    @Override
    public CompletionStage<Response> fetch(Request request, Env env) {
      String[] parts = request.path().split("/", 4);
      switch (parts[1]) {
        case "echo" -> {
          return env.namespace("echo")
              .getByName(parts[2])
              .fetch(
                  request.withUrl(
                      "/"
                          + (parts.length > 3 ? parts[3] : "")
                          + request.query().map(q -> "?" + q).orElse("")));
        }
        case "flaky" -> {
          return env.namespace("flaky").getByName(parts[2]).fetch(Request.get("/"));
        }
        case "self" -> {
          return Response.text(env.var("GREETING").orElse("?") + " " + request.url()).completed();
        }
        case "throw" -> throw new IllegalStateException("worker bug");
        case "fail-later" -> {
          return CompletableFuture.supplyAsync(
              () -> {
                throw new UnsupportedOperationException("later");
              });
        }
        case "unbound" -> {
          return env.namespace("nope").getByName("x").fetch(request);
        }
        default -> {
          return Response.text(404, "no route").completed();
        }
      }
    }
  }

  /** Its constructor throws the first time each object is constructed. */
  public static final class Flaky implements DurableObject {
    static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
    private final int attempt;

    public Flaky(DurableObjectState state, Env env) {
      attempt =
          ATTEMPTS.computeIfAbsent(state.id().toString(), k -> new AtomicInteger()).incrementAndGet();
      if (attempt == 1) {
        throw new IllegalStateException("first construction fails");
      }
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return Response.text("constructed on attempt " + attempt).completed();
    }
  }

  /** A Worker whose constructor throws. */
  public static final class BrokenWorker implements Worker {
    public BrokenWorker() {
      throw new IllegalStateException("cannot route today");
    }

    @Override
    public CompletionStage<Response> fetch(Request request, Env env) {
      return Response.text("unreachable").completed();
    }
  }

  @TempDir static Path dataDir;
  static DuroServer server;
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static com.typesafe.config.Config config(Path dir) {
    return DuroConfig.load(
        ConfigFactory.parseMap(
            Map.of(
                "duro.data-dir", dir.toString(),
                "duro.gateway.port", 0,
                "duro.gateway.host", "127.0.0.1")));
  }

  @BeforeAll
  static void start() throws Exception {
    Application app =
        new Application(
                List.of(
                    ObjectBinding.of("echo", GatewayTest.Echo.class),
                    ObjectBinding.of("flaky", Flaky.class)),
                Map.of("GREETING", "hi"))
            .withWorker(Router.class);
    server = DuroServer.start(config(dataDir), app).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void workerGetsTheFullPathAndQueryAndCanAnswerItself() throws Exception {
    HttpResponse<String> r = get("/self/a/b?x=1");
    assertEquals(200, r.statusCode());
    assertEquals("hi /self/a/b?x=1", r.body());
  }

  @Test
  void workerForwardsToAnObjectThroughItsNamespace() throws Exception {
    String id = server.runtime().namespace("echo").idFromName("w1").toString();
    HttpResponse<String> r = get("/echo/w1/inner?q=2");
    assertEquals(200, r.statusCode());
    assertEquals("GET /inner?q=2 - -  " + id, r.body());
  }

  @Test
  void workerThatThrowsIs500WorkerErrorAndTheNodeKeepsServing() throws Exception {
    HttpResponse<String> r = get("/throw");
    GatewayTest.assertError(r, 500, "worker_error");
    assertTrue(r.body().contains(Router.class.getName()), r.body());
    assertTrue(r.body().contains("java.lang.IllegalStateException: worker bug"), r.body());
    assertEquals(200, get("/self").statusCode());
  }

  @Test
  void workerStageThatFailsLaterIs500WorkerError() throws Exception {
    HttpResponse<String> r = get("/fail-later");
    GatewayTest.assertError(r, 500, "worker_error");
    assertTrue(r.body().contains("UnsupportedOperationException: later"), r.body());
  }

  @Test
  void duroExceptionFromTheWorkerKeepsItsCodeAndStatus() throws Exception {
    GatewayTest.assertError(get("/unbound"), 404, "unknown_binding");
    GatewayTest.assertError(get("/echo/w2/throw"), 500, "object_error");
  }

  @Test
  void healthIsAnsweredByDuroNotByTheWorker() throws Exception {
    assertEquals("{\"status\":\"ok\"}", get("/_duro/health").body());
  }

  @Test
  void constructorThatThrowsFailsTheRequestAndTheNextRequestConstructsAgain() throws Exception {
    HttpResponse<String> first = get("/flaky/f1");
    GatewayTest.assertError(first, 500, "object_error");
    assertTrue(first.body().contains("The constructor of Flaky threw"), first.body());
    assertTrue(first.body().contains("first construction fails"), first.body());
    HttpResponse<String> second = get("/flaky/f1");
    assertEquals(200, second.statusCode(), second.body());
    assertEquals("constructed on attempt 2", second.body());
  }

  @Test
  void workerWhoseConstructorThrowsStopsTheNodeAtStartNamingTheClass(@TempDir Path other) {
    Application app = Application.of(ObjectBinding.of("echo", GatewayTest.Echo.class))
        .withWorker(BrokenWorker.class);
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> DuroServer.start(config(other), app).toCompletableFuture().get(60,
                TimeUnit.SECONDS));
    Throwable cause = e.getCause();
    while (cause instanceof java.util.concurrent.CompletionException) {
      cause = cause.getCause();
    }
    DuroServer.StartFailure failure = assertInstanceOf(DuroServer.StartFailure.class, cause);
    assertTrue(failure.getMessage().contains(BrokenWorker.class.getName()), failure.getMessage());
    assertTrue(failure.getMessage().contains("cannot route today"), failure.getMessage());
  }
}

package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.DuroException;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.ObjectResetException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls between objects (DESIGN §2): continuations on the caller's turn, interleaving while a call
 * is awaited, loop-back calls, blockConcurrencyWhile, and typed RPC through {@link Stub#as}.
 */
class ObjectCallsTest {

  @TempDir static Path dataDir;
  static RuntimeFixture fixture;

  /** Gates that hold a callee's response until the test completes them, by object name. */
  static final Map<String, CompletableFuture<Void>> GATES = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    fixture =
        RuntimeFixture.start(
            dataDir,
            "duro.runtime.request-timeout = 1500ms\n",
            Application.of(
                ObjectBinding.of("caller", Caller.class),
                ObjectBinding.of("callee", Callee.class),
                ObjectBinding.of("counter", Counter.class)));
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  /** A point, to send records through RPC. */
  public record Point(int x, int y) {}

  /** The typed interface of {@link Counter}. */
  public interface CounterApi {
    CompletionStage<Long> add(long delta);

    CompletionStage<Long> get();

    CompletionStage<List<Point>> mirror(List<Point> points);

    CompletionStage<Void> fail(String message);

    CompletionStage<Void> refuse(String message);
  }

  /** An interface no object implements. */
  public interface Unrelated {
    CompletionStage<String> hello();
  }

  /** Not a valid RPC interface: a synchronous method. */
  public interface Synchronous {
    long add(long delta);
  }

  /** A counter reachable by typed RPC. */
  public static final class Counter implements DurableObject, CounterApi {
    private final DurableObjectState state;

    public Counter(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public CompletionStage<Long> add(long delta) {
      long v = state.storage().get("n", Long.class).orElse(0L) + delta;
      state.storage().put("n", v);
      return CompletableFuture.completedFuture(v);
    }

    @Override
    public CompletionStage<Long> get() {
      return CompletableFuture.completedFuture(state.storage().get("n", Long.class).orElse(0L));
    }

    @Override
    public CompletionStage<List<Point>> mirror(List<Point> points) {
      return CompletableFuture.completedFuture(
          points.stream().map(p -> new Point(p.y(), p.x())).toList());
    }

    @Override
    public CompletionStage<Void> fail(String message) {
      throw new IllegalStateException(message);
    }

    @Override
    public CompletionStage<Void> refuse(String message) {
      throw new InvalidArgumentException(message);
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return Response.text(404, "use RPC").completed();
    }
  }

  /** Answers, optionally after a gate, and can call back the caller. */
  public static final class Callee implements DurableObject {
    private final DurableObjectState state;
    private final Env env;

    public Callee(DurableObjectState state, Env env) {
      this.state = state;
      this.env = env;
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      String name = state.id().name().orElseThrow();
      return switch (request.path()) {
        case "/value" -> Response.text("from " + name).completed();
        case "/held" ->
            GATES.computeIfAbsent(name, k -> new CompletableFuture<>())
                .thenApply(done -> Response.text("released " + name));
        case "/call-back" ->
            env.namespace("caller")
                .getByName(request.queryParam("to").orElseThrow())
                .fetch(Request.post("/ping", ""))
                .thenApply(r -> Response.text("callee saw " + r.text()));
        default -> Response.status(404).completed();
      };
    }
  }

  /** Calls a callee and uses its storage in the continuation. */
  public static final class Caller implements DurableObject {
    private final DurableObjectState state;
    private final Env env;

    public Caller(DurableObjectState state, Env env) {
      this.state = state;
      this.env = env;
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      String me = state.id().name().orElseThrow();
      Stub callee = env.namespace("callee").getByName(request.queryParam("callee").orElse(me));
      switch (request.path()) {
        case "/call" -> {
          return callee
              .fetch(Request.get("/value"))
              .thenApply(
                  r -> {
                    state.storage().put("last", r.text()); // on this object's turn
                    return Response.text(state.storage().get("last", String.class).orElseThrow());
                  });
        }
        case "/call-held" -> {
          return callee.fetch(Request.get("/held")).thenApply(r -> Response.text(r.text()));
        }
        case "/loop" -> {
          return callee.fetch(Request.post("/call-back?to=" + me, ""));
        }
        case "/blocked-loop" -> {
          return state.blockConcurrencyWhile(
              () -> callee.fetch(Request.post("/call-back?to=" + me, "")));
        }
        case "/ping" -> {
          long n = state.storage().get("pings", Long.class).orElse(0L) + 1;
          state.storage().put("pings", n);
          return Response.text("pong " + n).completed();
        }
        case "/rpc" -> {
          CounterApi counter =
              env.namespace("counter").getByName(me).as(CounterApi.class);
          return counter
              .add(5)
              .thenCompose(v -> counter.add(v)) // 5, then 10
              .thenApply(
                  v -> {
                    state.storage().put("total", v); // on this object's turn
                    return Response.text("total " + v);
                  });
        }
        default -> {
          return Response.status(404).completed();
        }
      }
    }
  }

  private static Stub caller(String name) {
    return fixture.runtime.namespace("caller").getByName(name);
  }

  private static CounterApi counter(String name) {
    return fixture.runtime.namespace("counter").getByName(name).as(CounterApi.class);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static String text(Stub stub, String path) throws Exception {
    Response r = await(stub.fetch(Request.post(path, "")));
    assertEquals(200, r.status(), r.text());
    return r.text();
  }

  private static DuroException failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return assertInstanceOf(DuroException.class, e.getCause());
  }

  @Test
  void callToAnotherObjectContinuesOnTheCallersTurnWithStorageUsable() throws Exception {
    assertEquals("from a1", text(caller("a1"), "/call"));
  }

  @Test
  void callerServesOtherRequestsWhileItAwaitsAnotherObject() throws Exception {
    CompletionStage<Response> waiting = caller("a2").fetch(Request.post("/call-held", ""));
    // a2 waits for the callee; its turn is free, so another request runs meanwhile.
    assertEquals("pong 1", text(caller("a2"), "/ping"));
    assertTrue(!waiting.toCompletableFuture().isDone());
    GATES.computeIfAbsent("a2", k -> new CompletableFuture<>()).complete(null);
    assertEquals("released a2", await(waiting).text());
  }

  @Test
  void loopBackCallFromAThroughBToADoesNotDeadlock() throws Exception {
    assertEquals("callee saw pong 1", text(caller("a3"), "/loop"));
  }

  @Test
  void loopBackCallInsideBlockConcurrencyWhileTimesOutAndResetsTheCaller() throws Exception {
    long start = System.nanoTime();
    DuroException e = failure(caller("a4").fetch(Request.post("/blocked-loop", "")));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals("timeout", e.code(), e.getMessage());
    assertTrue(millis >= 1400, "failed after " + millis + " ms, before the request time limit");
    // The looped-back /ping stayed queued and was served by the reset object; a later call works.
    String pong = text(caller("a4"), "/ping");
    assertTrue(pong.equals("pong 1") || pong.equals("pong 2"), pong);
  }

  @Test
  void typedRpcFromOutsideCallsTheObjectsMethodAndReturnsItsResult() throws Exception {
    CounterApi counter = counter("r1");
    assertEquals(3L, await(counter.add(3)));
    assertEquals(7L, await(counter.add(4)));
    assertEquals(7L, await(counter.get()));
  }

  @Test
  void typedRpcCarriesRecordsAndGenericListsBothWays() throws Exception {
    assertEquals(
        List.of(new Point(2, 1), new Point(4, 3)),
        await(counter("r2").mirror(List.of(new Point(1, 2), new Point(3, 4)))));
  }

  @Test
  void typedRpcFromInsideAnObjectContinuesOnTheCallersTurn() throws Exception {
    assertEquals("total 10", text(caller("r3"), "/rpc"));
    assertEquals(10L, await(counter("r3").get()));
  }

  @Test
  void exceptionThrownByAnRpcMethodReachesTheCallerAsObjectError() {
    DuroException e = failure(counter("r4").fail("no luck"));
    assertInstanceOf(ObjectResetException.class, e);
    assertEquals("object_error", e.code());
    assertTrue(e.getMessage().contains("java.lang.IllegalStateException: no luck"), e.getMessage());
  }

  @Test
  void duroExceptionThrownByAnRpcMethodKeepsItsCode() {
    DuroException e = failure(counter("r5").refuse("bad delta"));
    assertEquals("invalid_argument", e.code());
    assertEquals("bad delta", e.getMessage());
  }

  @Test
  void rpcThroughAnInterfaceTheObjectDoesNotImplementIsRefused() {
    Unrelated view = fixture.runtime.namespace("counter").getByName("r6").as(Unrelated.class);
    DuroException e = failure(view.hello());
    assertEquals("invalid_argument", e.code());
    assertTrue(e.getMessage().contains("does not implement"), e.getMessage());
  }

  @Test
  void asRefusesAnInterfaceWithASynchronousMethod() {
    Stub stub = fixture.runtime.namespace("counter").getByName("r7");
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> stub.as(Synchronous.class));
    assertTrue(e.getMessage().contains("must return CompletionStage"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> stub.as(Counter.class));
  }
}

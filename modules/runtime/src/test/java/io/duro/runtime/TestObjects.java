package io.duro.runtime;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.StorageOptions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Durable Object classes that exercise the runtime's semantics in tests. */
final class TestObjects {

  private TestObjects() {}

  /** Constructor calls per object ID: tells resets and passivations apart from live instances. */
  static final Map<String, AtomicInteger> CONSTRUCTED = new ConcurrentHashMap<>();

  /** Futures that {@link Blocking} objects wait on in their constructor, per object ID. */
  static final Map<String, CompletableFuture<Void>> GATES = new ConcurrentHashMap<>();

  /** Turns that ran {@code /barrier} per {@link Probe} ID: each marks all turns before it done. */
  static final Map<String, AtomicInteger> BARRIERS = new ConcurrentHashMap<>();

  static int constructed(String id) {
    return count(CONSTRUCTED, id);
  }

  static int barriers(String id) {
    return count(BARRIERS, id);
  }

  private static int count(Map<String, AtomicInteger> counts, String id) {
    AtomicInteger n = counts.get(id);
    return n == null ? 0 : n.get();
  }

  /** A counter with extra routes that misbehave on purpose. */
  public static final class Probe implements DurableObject {
    private final DurableObjectState state;
    private final Env env;

    public Probe(DurableObjectState state, Env env) {
      this.state = state;
      this.env = env;
      CONSTRUCTED.computeIfAbsent(state.id().toString(), k -> new AtomicInteger()).incrementAndGet();
    }

    private long value() {
      return state.storage().get("value", Long.class).orElse(0L);
    }

    private Response valueResponse(long v) {
      return Response.json(Map.of("value", v));
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      switch (request.path()) {
        case "/" -> {
          return valueResponse(value()).completed();
        }
        case "/barrier" -> {
          BARRIERS.computeIfAbsent(state.id().toString(), k -> new AtomicInteger())
              .incrementAndGet();
          return Response.text("barrier").completed();
        }
        case "/increment" -> {
          long v = value() + 1;
          state.storage().put("value", v);
          return valueResponse(v).completed();
        }
        case "/increment-unconfirmed" -> {
          long v = value() + 1;
          state.storage().put("value", v, StorageOptions.DEFAULT.withAllowUnconfirmed());
          return valueResponse(v).completed();
        }
        case "/sync" -> {
          long v = value() + 1;
          state.storage().put("value", v);
          return state
              .storage()
              .sync()
              .thenApply(
                  done -> {
                    // runs on the object's turn: storage is usable here
                    state.storage().put("synced", v);
                    return valueResponse(v);
                  });
        }
        case "/throw" -> {
          state.storage().put("poison", true);
          throw new IllegalStateException("boom");
        }
        case "/throw-later" -> {
          return CompletableFuture.supplyAsync(
              () -> {
                throw new IllegalStateException("late boom");
              });
        }
        case "/limit" -> {
          state.storage().put("before-limit", true);
          state.storage().put("k".repeat(3000), 1);
          return valueResponse(-1).completed();
        }
        case "/hang" -> {
          return new CompletableFuture<>();
        }
        case "/fill" -> {
          int n = Integer.parseInt(request.queryParam("n").orElse("10"));
          for (int i = 0; i < n; i++) {
            state.storage().put("fill-" + i, "x".repeat(200));
          }
          return valueResponse(n).completed();
        }
        case "/abort" -> {
          state.storage().put("aborted-write", true);
          state.abort("asked to");
          return Response.text("aborting").completed();
        }
        case "/name" -> {
          return Response.text(state.id().name().orElse("(none)")).completed();
        }
        case "/keys" -> {
          return Response.json(state.storage().list(Object.class)).completed();
        }
        case "/foreign" -> {
          AtomicReference<String> failure = new AtomicReference<>("no failure");
          Thread t =
              new Thread(
                  () -> {
                    try {
                      state.storage().put("from-thread", 1);
                    } catch (IllegalStateException e) {
                      failure.set(e.getMessage());
                    }
                  });
          t.start();
          try {
            t.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Response.text(failure.get()).completed();
        }
        case "/call" -> {
          String target = request.queryParam("target").orElseThrow();
          return env.namespace("probe")
              .getByName(target)
              .fetch(Request.post("/increment", ""))
              .thenApply(
                  response -> {
                    // a continuation of a stub call runs on this object's turn
                    state.storage().put("called", response.text());
                    return Response.text(response.text());
                  });
        }
        case "/accept" -> {
          io.duro.api.WebSocket ws = state.acceptWebSocket(request, "gated");
          long v = value() + 1;
          state.storage().put("value", v);
          ws.send("accepted at " + v);
          return Response.webSocket(ws).completed();
        }
        default -> {
          return Response.status(404).completed();
        }
      }
    }

    @Override
    public CompletionStage<Void> webSocketMessage(io.duro.api.WebSocket ws, Object message) {
      long v = value() + 1;
      state.storage().put("value", v);
      ws.send(message + " at " + v);
      return CompletableFuture.completedFuture(null);
    }
  }

  /** Blocks every event in its constructor until the test completes its gate. */
  public static final class Blocking implements DurableObject {
    private final DurableObjectState state;

    public Blocking(DurableObjectState state, Env env) {
      this.state = state;
      CompletableFuture<Void> gate =
          GATES.computeIfAbsent(state.id().toString(), k -> new CompletableFuture<>());
      state.blockConcurrencyWhile(
          () ->
              gate.thenApply(
                  done -> {
                    return null;
                  }));
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      long v = state.storage().get("n", Long.class).orElse(0L) + 1;
      state.storage().put("n", v);
      return Response.json(Map.of("value", v)).completed();
    }
  }

  /**
   * Its constructor's blockConcurrencyWhile fails: at once, or later (on another thread) when the
   * test registered a gate for the object.
   */
  public static final class FailingInit implements DurableObject {
    public FailingInit(DurableObjectState state, Env env) {
      CONSTRUCTED.computeIfAbsent(state.id().toString(), k -> new AtomicInteger()).incrementAndGet();
      boolean now = !GATES.containsKey(state.id().toString());
      state.blockConcurrencyWhile(
          () ->
              now
                  ? CompletableFuture.failedFuture(new IllegalStateException("init failed"))
                  : CompletableFuture.supplyAsync(
                      () -> {
                        throw new IllegalStateException("init failed later");
                      }));
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return Response.text("unreachable").completed();
    }
  }

  /** Sets, deletes and records alarms; its alarm handler fails while told to. */
  public static final class Alarmed implements DurableObject {
    private final DurableObjectState state;

    public Alarmed(DurableObjectState state, Env env) {
      this.state = state;
      CONSTRUCTED.computeIfAbsent(state.id().toString(), k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      var storage = state.storage();
      long now = state.clock().millis();
      switch (request.path()) {
        case "/set" -> {
          long at = now + Long.parseLong(request.queryParam("in").orElseThrow());
          storage.setAlarm(java.time.Instant.ofEpochMilli(at));
          return Response.text(Long.toString(at)).completed();
        }
        case "/set-at" -> {
          storage.setAlarm(java.time.Instant.ofEpochMilli(
              Long.parseLong(request.queryParam("epoch").orElseThrow())));
          return Response.text("ok").completed();
        }
        case "/set-null" -> {
          storage.setAlarm(null);
          return Response.text("ok").completed();
        }
        case "/set-in-rolled-back-transaction" -> {
          long at = now + Long.parseLong(request.queryParam("in").orElseThrow());
          storage.transaction(
              txn -> {
                txn.setAlarm(java.time.Instant.ofEpochMilli(at));
                txn.rollback();
                return null;
              });
          return Response.text("ok").completed();
        }
        case "/delete" -> {
          storage.deleteAlarm();
          return Response.text("ok").completed();
        }
        case "/fail" -> {
          storage.put("fail-times", Long.parseLong(request.queryParam("times").orElseThrow()));
          return Response.text("ok").completed();
        }
        case "/alarm" -> {
          return Response.text(
                  storage.getAlarm().map(i -> Long.toString(i.toEpochMilli())).orElse("none"))
              .completed();
        }
        case "/fired" -> {
          return Response.json(
                  storage.list(io.duro.api.ListOptions.prefix("fired:"), Map.class).values())
              .completed();
        }
        default -> {
          return Response.status(404).completed();
        }
      }
    }

    @Override
    public CompletionStage<Void> alarm(io.duro.api.AlarmInfo info) {
      var storage = state.storage();
      long runs = storage.get("runs", Long.class).orElse(0L) + 1;
      storage.put("runs", runs);
      storage.put(
          String.format("fired:%06d", runs),
          Map.of(
              "scheduled", info.scheduledTime().toEpochMilli(),
              "firedAt", state.clock().millis(),
              "retryCount", info.retryCount(),
              "isRetry", info.isRetry()));
      long failTimes = storage.get("fail-times", Long.class).orElse(0L);
      if (info.retryCount() < failTimes) {
        return CompletableFuture.failedFuture(new IllegalStateException("alarm failed on purpose"));
      }
      return CompletableFuture.completedFuture(null);
    }
  }
}

package io.duro.testkit;

import io.duro.api.AlarmInfo;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.WebSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An object for the extension's tests: counts, an alarm that may fail its first runs, the
 * identity of its instance, and an echoing WebSocket.
 *
 * <ul>
 *   <li>{@code POST /increment} → the new count; {@code GET /} → count, alarm runs, instance;
 *   <li>{@code POST /alarm?in=MS&fail=N} → an alarm MS ahead by the runtime clock whose first N
 *       runs fail;
 *   <li>{@code GET /ws} (upgrade) → echoes each text message prefixed with the instance.
 * </ul>
 */
public final class ClockProbe implements DurableObject {

  private final DurableObjectState state;
  private final String instance = UUID.randomUUID().toString();

  public ClockProbe(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    var storage = state.storage();
    switch (request.path()) {
      case "/increment" -> {
        long n = storage.get("count", Long.class).orElse(0L) + 1;
        storage.put("count", n);
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("count", n);
        body.put("instance", instance);
        return Response.json(body).completed();
      }
      case "/alarm" -> {
        long in = Long.parseLong(request.queryParam("in").orElse("0"));
        storage.put("fail", Long.parseLong(request.queryParam("fail").orElse("0")));
        storage.setAlarm(state.clock().instant().plusMillis(in));
        return Response.json(Map.of("alarm", storage.getAlarm().orElseThrow().toString()))
            .completed();
      }
      case "/ws" -> {
        WebSocket ws = state.acceptWebSocket(request);
        return Response.webSocket(ws).completed();
      }
      default -> {
        return Response.json(
                Map.of(
                    "count", storage.get("count", Long.class).orElse(0L),
                    "runs", storage.get("runs", Long.class).orElse(0L),
                    "lastRetry", storage.get("lastRetry", Long.class).orElse(-1L),
                    "instance", instance))
            .completed();
      }
    }
  }

  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    if (info.retryCount() < state.storage().get("fail", Long.class).orElse(0L)) {
      return CompletableFuture.failedFuture(new IllegalStateException("planned failure"));
    }
    state.storage().put("runs", state.storage().get("runs", Long.class).orElse(0L) + 1);
    state.storage().put("lastRetry", (long) info.retryCount());
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    ws.send(instance + ":" + message);
    return CompletableFuture.completedFuture(null);
  }
}

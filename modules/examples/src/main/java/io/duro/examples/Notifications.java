package io.duro.examples;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.EventStream;
import io.duro.api.ListOptions;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import io.duro.api.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code notify} object: live notifications for one user (or one topic). Clients
 * subscribe with server-sent events or a WebSocket and stay connected while the object hibernates;
 * a publisher posts a notification, which is kept (the last 50) and pushed to every subscriber.
 * A subscriber that reconnects with {@code Last-Event-ID} gets what it missed.
 *
 * <ul>
 *   <li>{@code GET /} with {@code Accept: text/event-stream} → the stream: missed notifications
 *       first, then each new one as {@code id: n / event: notification / data: {...}};
 *   <li>{@code GET /} as a WebSocket upgrade → the same notifications as JSON text messages;
 *   <li>{@code POST /} with a JSON body → publishes it: {@code {"id":n,"delivered":subscribers}};
 *   <li>{@code GET /recent} → the kept notifications; {@code GET /subscribers} → how many.
 * </ul>
 *
 * <pre>{@code
 * curl -N -H 'Accept: text/event-stream' localhost:8080/notify/ada/
 * curl -X POST localhost:8080/notify/ada/ -d '{"text":"Your order shipped"}'
 * }</pre>
 */
public final class Notifications implements DurableObject {

  static final int KEPT = 50;

  private final DurableObjectState state;
  private final Storage storage;

  /** A kept notification. */
  public record Notification(long id, Object body, long at) {}

  /**
   * Creates the object.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public Notifications(DurableObjectState state, Env env) {
    this.state = state;
    this.storage = state.storage();
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/") && method.equals("GET") && request.isWebSocketUpgrade()) {
      WebSocket ws = state.acceptWebSocket(request, "subscriber");
      return Response.webSocket(ws).completed();
    }
    if (path.equals("/") && method.equals("GET") && request.acceptsEventStream()) {
      EventStream stream = state.acceptEventStream(request, "subscriber");
      long after = request.header("Last-Event-ID").map(Notifications::parseId).orElse(-1L);
      if (after >= 0) {
        for (Notification n : recent()) {
          if (n.id() > after) {
            stream.send(String.valueOf(n.id()), "notification", Response.json(n).text());
          }
        }
      }
      return Response.eventStream(stream).completed();
    }
    if (path.equals("/") && method.equals("POST")) {
      Object body = request.json(Object.class);
      long id = storage.get("seq", Long.class).orElse(0L) + 1;
      Notification n = new Notification(id, body, System.currentTimeMillis());
      storage.put(Map.of("seq", id, key(id), n));
      if (id > KEPT) {
        storage.delete(key(id - KEPT));
      }
      String json = Response.json(n).text();
      List<WebSocket> sockets = state.getWebSockets("subscriber");
      List<EventStream> streams = state.getEventStreams("subscriber");
      sockets.forEach(ws -> ws.send(json));
      streams.forEach(s -> s.send(String.valueOf(id), "notification", json));
      return Response.json(
          HttpErrors.fields("id", id, "delivered", sockets.size() + streams.size()))
          .completed();
    }
    if (path.equals("/recent") && method.equals("GET")) {
      return Response.json(Map.of("notifications", recent())).completed();
    }
    if (path.equals("/subscribers") && method.equals("GET")) {
      int n = state.getWebSockets("subscriber").size() + state.getEventStreams("subscriber").size();
      return Response.json(Map.of("subscribers", n)).completed();
    }
    if (path.equals("/") || path.equals("/recent") || path.equals("/subscribers")) {
      return HttpErrors.methodNotAllowed(method, path, path.equals("/") ? "GET, POST" : "GET")
          .completed();
    }
    return HttpErrors.notFound(path).completed();
  }

  private List<Notification> recent() {
    return new ArrayList<>(storage.list(ListOptions.prefix("n:"), Notification.class).values());
  }

  private static long parseId(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String key(long id) {
    return String.format("n:%012d", id);
  }

  @Override
  public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    return CompletableFuture.completedFuture(null); // subscribers only listen
  }
}

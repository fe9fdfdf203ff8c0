package io.duro.testkit;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.EventStream;
import io.duro.api.LimitExceededException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A test object that exercises every WebSocket and event-stream call. */
public final class SocketProbe implements DurableObject {

  /** Constructor calls in this JVM by object ID: each is one activation of that probe. */
  private static final Map<String, AtomicInteger> ACTIVATIONS = new ConcurrentHashMap<>();

  private final DurableObjectState state;

  /** The attachment of a probe socket. */
  public record Tag(int n, String note) {}

  public SocketProbe(DurableObjectState state, Env env) {
    this.state = state;
    ACTIVATIONS.computeIfAbsent(state.id().toString(), k -> new AtomicInteger()).incrementAndGet();
  }

  /** How often the probe of that name on that node was activated (constructed). */
  static int activations(TestNode node, String name) {
    String id = node.namespace("probe").idFromName(name).toString();
    return ACTIVATIONS.getOrDefault(id, new AtomicInteger()).get();
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    switch (path) {
      case "/ws" -> {
        String[] tags =
            request.queryParam("tags").map(t -> t.split(",")).orElse(new String[0]);
        WebSocket ws = state.acceptWebSocket(request, tags);
        int n = Integer.parseInt(request.queryParam("n").orElse("0"));
        ws.serializeAttachment(new Tag(n, "socket " + n));
        if (request.queryParam("greet").isPresent()) {
          ws.send("hello " + n);
        }
        return Response.webSocket(ws).completed();
      }
      case "/auto" -> {
        state.setWebSocketAutoResponse("ping", "pong");
        return Response.text("ok").completed();
      }
      case "/broadcast" -> {
        List<WebSocket> to =
            request.queryParam("tag").map(state::getWebSockets).orElse(state.getWebSockets());
        to.forEach(ws -> ws.send(request.text()));
        return Response.text(String.valueOf(to.size())).completed();
      }
      case "/close-all" -> {
        int code = Integer.parseInt(request.queryParam("code").orElse("1000"));
        state.getWebSockets().forEach(ws -> ws.close(code, "closed by the object"));
        return Response.text("closed").completed();
      }
      case "/sse" -> {
        EventStream stream = state.acceptEventStream(request, "feed");
        stream.send("open", "ready");
        return Response.eventStream(stream).completed();
      }
      case "/publish" -> {
        List<EventStream> streams = state.getEventStreams("feed");
        streams.forEach(s -> s.send(request.text()));
        return Response.text(String.valueOf(streams.size())).completed();
      }
      case "/log" -> {
        return Response.json(state.storage().get("log", List.class).orElse(List.of()))
            .completed();
      }
      default -> {
        return Response.status(404).completed();
      }
    }
  }

  @Override
  public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    if (message instanceof byte[] data) {
      ws.send(data); // binary echo
      return done();
    }
    String text = (String) message;
    if (text.startsWith("echo:")) {
      ws.send(text.substring(5));
    } else if (text.equals("count")) {
      ws.send("count " + state.getWebSockets().size());
    } else if (text.equals("attachments")) {
      int sum = 0;
      for (WebSocket s : state.getWebSockets()) {
        sum += s.deserializeAttachment(Tag.class).n();
      }
      ws.send("sum " + sum);
    } else if (text.startsWith("attach:")) {
      try {
        ws.serializeAttachment(new Tag(0, "x".repeat(Integer.parseInt(text.substring(7)))));
        ws.send("attached");
      } catch (LimitExceededException e) {
        ws.send("refused: " + e.getMessage());
      }
    } else if (text.equals("autots")) {
      ws.send(
          "autots "
              + state.getWebSocketAutoResponseTimestamp(ws).map(i -> i.toEpochMilli()).orElse(0L));
    } else if (text.equals("close-then-send")) {
      ws.close(4001, "bye");
      try {
        ws.send("after close");
      } catch (IllegalStateException e) {
        log("send after close: " + e.getMessage());
      }
    } else if (text.startsWith("flood:")) {
      String chunk = "y".repeat(1024);
      for (int i = 0; i < Integer.parseInt(text.substring(6)); i++) {
        ws.send(chunk);
      }
    } else if (text.equals("tags")) {
      ws.send("tags " + ws.tags());
    } else {
      log("message " + text);
    }
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketClose(
      WebSocket ws, int code, String reason, boolean wasClean) {
    log("close " + code + " " + reason + " " + wasClean);
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketError(WebSocket ws, Throwable error) {
    log("error " + error.getMessage());
    return done();
  }

  @Override
  public CompletionStage<Void> eventStreamClose(EventStream stream) {
    log("stream closed " + stream.tags());
    return done();
  }

  @SuppressWarnings("unchecked")
  private void log(String line) {
    List<String> log = new ArrayList<>(state.storage().get("log", List.class).orElse(List.of()));
    log.add(line);
    state.storage().put("log", log);
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  static Map<String, Class<? extends DurableObject>> bindings() {
    return Map.of("probe", SocketProbe.class);
  }
}

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code chat} object: a chat room over hibernatable WebSockets. The room keeps its
 * history in storage and its members in the sockets' attachments, so it can be dropped from memory
 * while people stay connected; the gateway answers {@code "ping"} with {@code "pong"} without
 * waking it.
 *
 * <ul>
 *   <li>{@code GET /websocket?name=ada} (WebSocket upgrade) → joins the room. The client first
 *       receives {@code {"type":"welcome","history":[...],"members":[...]}}; everyone receives
 *       {@code {"type":"join","name":...,"members":[...]}}. A text message from a member is
 *       broadcast as {@code {"type":"message","from":...,"text":...,"at":...}} and kept in the
 *       history (the last 100). Leaving sends {@code {"type":"leave",...}}.
 *   <li>{@code GET /events} with {@code Accept: text/event-stream} → a read-only stream of the
 *       same events (server-sent events).
 *   <li>{@code GET /history} → the kept messages; {@code GET /members} → who is connected.
 * </ul>
 *
 * <p>The browser page at {@code /chat/} (served by the node) uses it.
 */
public final class ChatRoom implements DurableObject {

  static final int HISTORY = 100;
  static final int MAX_NAME = 32;
  static final int MAX_TEXT = 2000;

  private final DurableObjectState state;
  private final Storage storage;

  /** A member, kept with the member's socket. */
  public record Member(String name, long joinedAt) {}

  /** A kept message. */
  public record Message(String from, String text, long at) {}

  /**
   * Creates the room.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public ChatRoom(DurableObjectState state, Env env) {
    this.state = state;
    this.storage = state.storage();
    state.setWebSocketAutoResponse("ping", "pong");
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    if (path.equals("/websocket")) {
      Response refused = HttpErrors.unlessUpgrade(request);
      return (refused != null ? refused : join(request)).completed();
    }
    Response notRead = HttpErrors.unlessRead(request);
    if (notRead != null) {
      return notRead.completed();
    }
    return switch (path) {
      case "/events" -> {
        if (!request.acceptsEventStream()) {
          yield HttpErrors.error(
                  406, "not_acceptable", "Ask for /events with 'Accept: text/event-stream'")
              .completed();
        }
        EventStream stream = state.acceptEventStream(request, "observer");
        stream.send("members", json(Map.of("members", members())));
        yield Response.eventStream(stream).completed();
      }
      case "/history" -> Response.json(Map.of("messages", history())).completed();
      case "/members" -> Response.json(Map.of("members", members())).completed();
      default -> HttpErrors.notFound(path).completed();
    };
  }

  private Response join(Request request) {
    String name = request.queryParam("name").map(String::strip).orElse("");
    if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
      return HttpErrors.error(
          400,
          "invalid_name",
          "Join with ?name= of 1 to " + MAX_NAME + " characters without control characters");
    }
    WebSocket ws = state.acceptWebSocket(request, "member", "name:" + name);
    ws.serializeAttachment(new Member(name, System.currentTimeMillis()));
    Map<String, Object> welcome = new LinkedHashMap<>();
    welcome.put("type", "welcome");
    welcome.put("you", name);
    welcome.put("history", history());
    welcome.put("members", members());
    ws.send(json(welcome));
    broadcast(Map.of("type", "join", "name", name, "members", members()), ws);
    return Response.webSocket(ws);
  }

  @Override
  public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    Member member = ws.deserializeAttachment(Member.class);
    if (!(message instanceof String text) || member == null) {
      ws.send(json(Map.of("type", "error", "message", "Send text messages")));
      return done();
    }
    if (text.isBlank() || text.length() > MAX_TEXT) {
      ws.send(
          json(
              Map.of("type", "error", "message", "A message is 1 to " + MAX_TEXT + " characters")));
      return done();
    }
    long at = System.currentTimeMillis();
    long seq = storage.get("seq", Long.class).orElse(0L) + 1;
    storage.put(Map.of("seq", seq, key(seq), new Message(member.name(), text, at)));
    if (seq > HISTORY) {
      storage.delete(key(seq - HISTORY));
    }
    broadcast(Map.of("type", "message", "from", member.name(), "text", text, "at", at), null);
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketClose(
      WebSocket ws, int code, String reason, boolean wasClean) {
    Member member = ws.deserializeAttachment(Member.class);
    if (member != null) {
      broadcast(Map.of("type", "leave", "name", member.name(), "members", members()), null);
    }
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketError(WebSocket ws, Throwable error) {
    return webSocketClose(ws, 1006, String.valueOf(error.getMessage()), false);
  }

  private void broadcast(Map<String, Object> event, WebSocket except) {
    String json = json(event);
    for (WebSocket ws : state.getWebSockets("member")) {
      if (!ws.equals(except)) {
        ws.send(json);
      }
    }
    for (EventStream stream : state.getEventStreams("observer")) {
      stream.send(String.valueOf(event.get("type")), json);
    }
  }

  private List<String> members() {
    TreeSet<String> names = new TreeSet<>();
    for (WebSocket ws : state.getWebSockets("member")) {
      Member m = ws.deserializeAttachment(Member.class);
      if (m != null) {
        names.add(m.name());
      }
    }
    return new ArrayList<>(names);
  }

  private List<Message> history() {
    return new ArrayList<>(storage.list(ListOptions.prefix("msg:"), Message.class).values());
  }

  private static String key(long seq) {
    return String.format("msg:%012d", seq);
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private static String json(Object value) {
    return Response.json(value).text(); // the SDK's JSON codec
  }
}

package io.duro.examples;

import static io.duro.examples.SocketMessages.error;
import static io.duro.examples.SocketMessages.json;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.LimitExceededException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import io.duro.api.WebSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code cursors} object: live cursors and presence for one shared page (a board, a
 * document) per object name. Everyone connected sees who else is there, in which color, and where
 * their pointer is.
 *
 * <ul>
 *   <li>{@code GET /websocket?name=ada} (WebSocket upgrade) → joins. The client receives {@code
 *       {"type":"welcome","you":{peer},"peers":[{peer}...]}} with everyone else; the others receive
 *       {@code {"type":"join","peer":{peer}}}. A peer is {@code {"id","name","color","x","y"}}
 *       ({@code x}, {@code y} are null until the first move).
 *   <li>The client sends {@code {"type":"move","x":0.25,"y":0.5}} (fractions of the page, 0 to 1;
 *       the page sends at most one every 50 ms); the others receive {@code
 *       {"type":"move","id","x","y"}}.
 *   <li>Closing or losing the socket sends {@code {"type":"leave","id","name"}}.
 *   <li>{@code ping} is answered {@code pong} by the gateway without waking the object.
 *   <li>{@code GET /presence} → {@code {"peers":[...]}}.
 * </ul>
 *
 * <p>Each peer, with its last position, is its socket's attachment; storage holds only the count of
 * joins (for IDs and colors). So a move costs no storage write, and the object can hibernate
 * between moves with everyone connected: it finds the peers again in the attachments.
 */
public final class Cursors implements DurableObject {

  static final int MAX_NAME = 32;
  static final List<String> COLORS =
      List.of(
          "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42a5a5", "#f032e6", "#9a6324");
  private static final String EXAMPLE = "{\"type\":\"move\",\"x\":0.25,\"y\":0.5}";

  private final DurableObjectState state;
  private final Storage storage;

  /** A connected peer and its last pointer position; kept with its socket. */
  public record Peer(String id, String name, String color, Double x, Double y) {
    Peer movedTo(double nx, double ny) {
      return new Peer(id, name, color, nx, ny);
    }
  }

  /**
   * Creates the object.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public Cursors(DurableObjectState state, Env env) {
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
    if (path.equals("/presence")) {
      return Response.json(Map.of("peers", peers(null))).completed();
    }
    return HttpErrors.notFound(path).completed();
  }

  private Response join(Request request) {
    String name = SocketMessages.name(request, "name", MAX_NAME);
    if (name == null) {
      return HttpErrors.error(
          400,
          "invalid_name",
          "Join with ?name= of 1 to " + MAX_NAME + " characters without control characters");
    }
    long seq = storage.get("joins", Long.class).orElse(0L) + 1;
    storage.put("joins", seq);
    Peer peer =
        new Peer("p" + seq, name, COLORS.get((int) ((seq - 1) % COLORS.size())), null, null);
    WebSocket ws = state.acceptWebSocket(request, "peer");
    ws.serializeAttachment(peer);
    ws.send(json(HttpErrors.fields("type", "welcome", "you", peer, "peers", peers(ws))));
    broadcast(json(HttpErrors.fields("type", "join", "peer", peer)), ws);
    return Response.webSocket(ws);
  }

  @Override
  public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    try {
      Map<String, Object> m = SocketMessages.parse(message, EXAMPLE);
      if (!"move".equals(m.get("type"))) {
        throw new InvalidArgumentException(
            "Unknown message type \"" + m.get("type") + "\"; send " + EXAMPLE);
      }
      double x = SocketMessages.number(m, "x", 0, 1);
      double y = SocketMessages.number(m, "y", 0, 1);
      Peer peer = ws.deserializeAttachment(Peer.class).movedTo(x, y);
      ws.serializeAttachment(peer);
      broadcast(json(HttpErrors.fields("type", "move", "id", peer.id(), "x", x, "y", y)), ws);
    } catch (InvalidArgumentException | LimitExceededException e) {
      error(ws, e.getMessage());
    }
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketClose(
      WebSocket ws, int code, String reason, boolean wasClean) {
    Peer peer = ws.deserializeAttachment(Peer.class);
    if (peer != null) {
      broadcast(json(HttpErrors.fields("type", "leave", "id", peer.id(), "name", peer.name())), ws);
    }
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketError(WebSocket ws, Throwable error) {
    return webSocketClose(ws, 1006, String.valueOf(error.getMessage()), false);
  }

  private void broadcast(String json, WebSocket except) {
    for (WebSocket ws : state.getWebSockets("peer")) {
      if (!ws.equals(except)) {
        ws.send(json);
      }
    }
  }

  /** The connected peers but {@code except}, in the order they joined. */
  private List<Peer> peers(WebSocket except) {
    List<Peer> peers = new ArrayList<>();
    for (WebSocket ws : state.getWebSockets("peer")) {
      Peer p = ws.equals(except) ? null : ws.deserializeAttachment(Peer.class);
      if (p != null) {
        peers.add(p);
      }
    }
    peers.sort(Comparator.comparingLong(p -> Long.parseLong(p.id().substring(1))));
    return peers;
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}

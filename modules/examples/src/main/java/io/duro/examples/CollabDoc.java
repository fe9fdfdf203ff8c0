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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code doc} object: a plain-text document edited by many clients at once, kept
 * consistent by operational transformation. The object orders the edits: each gets the next
 * revision number, and an edit made against an older revision is transformed against the edits the
 * client had not seen before it is applied, so every client ends with the same text.
 *
 * <ul>
 *   <li>{@code GET /websocket?user=ada} (WebSocket upgrade) → the client receives {@code
 *       {"type":"snapshot","you","rev","text","editors"}}. It sends {@code
 *       {"type":"op","rev":r,"op":[...]}}: an operation ({@link TextOperation}: retain {@code n >
 *       0}, delete {@code n < 0}, insert a string) on the text of revision {@code r}. The sender
 *       receives {@code {"type":"ack","rev"}}, everyone else {@code {"type":"op","rev","op","by"}}
 *       with the operation as it was applied. Joins and leaves send {@code
 *       {"type":"editors","editors"}}.
 *   <li>{@code GET /} → {@code {"rev","text","editors"}}; {@code GET /ops?since=r} → the operations
 *       after revision {@code r} (410 if they are no longer kept).
 * </ul>
 *
 * <p>Storage: {@code doc} holds the revision and the text, {@code op:{rev}} the last {@value
 * #KEPT_OPS} operations, each written with the text in one turn. Per-socket state (the editor's ID
 * and name) is in attachments, so the document can hibernate while it is open. The page at {@code
 * /doc/} is the client: one operation in flight, later edits queued and transformed.
 */
public final class CollabDoc implements DurableObject {

  static final int MAX_LENGTH = 32_000;
  static final int KEPT_OPS = 500;
  static final int MAX_NAME = 32;
  private static final String EXAMPLE = "{\"type\":\"op\",\"rev\":0,\"op\":[\"hello\"]}";

  private final DurableObjectState state;
  private final Storage storage;

  /** An editor, kept with the editor's socket. */
  public record Editor(String id, String user) {}

  /** The document at a revision. */
  public record Snapshot(long rev, String text) {}

  /** An applied operation and the editor it came from. */
  public record Applied(List<Object> op, String by) {}

  /**
   * Creates the document.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public CollabDoc(DurableObjectState state, Env env) {
    this.state = state;
    this.storage = state.storage();
    state.setWebSocketAutoResponse("ping", "pong");
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    if (path.equals("/websocket")) {
      Response refused = HttpErrors.unlessUpgrade(request);
      return (refused != null ? refused : open(request)).completed();
    }
    Response notRead = HttpErrors.unlessRead(request);
    if (notRead != null) {
      return notRead.completed();
    }
    return switch (path) {
      case "/" -> {
        Snapshot doc = snapshot();
        yield Response.json(
                HttpErrors.fields("rev", doc.rev(), "text", doc.text(), "editors", editors(null)))
            .completed();
      }
      case "/ops" -> ops(request).completed();
      default -> HttpErrors.notFound(path).completed();
    };
  }

  private Response open(Request request) {
    String user = request.queryParam("user").isEmpty() ? "anonymous" : null;
    if (user == null) {
      user = SocketMessages.name(request, "user", MAX_NAME);
      if (user == null) {
        return HttpErrors.error(
            400,
            "invalid_user",
            "Open with ?user= of 1 to " + MAX_NAME + " characters without control characters");
      }
    }
    long seq = storage.get("editors", Long.class).orElse(0L) + 1;
    storage.put("editors", seq);
    Editor editor = new Editor("e" + seq, user);
    WebSocket ws = state.acceptWebSocket(request, "editor");
    ws.serializeAttachment(editor);
    Snapshot doc = snapshot();
    ws.send(
        json(
            HttpErrors.fields(
                "type", "snapshot",
                "you", editor.id(),
                "rev", doc.rev(),
                "text", doc.text(),
                "editors", editors(null))));
    broadcast(json(HttpErrors.fields("type", "editors", "editors", editors(null))), ws);
    return Response.webSocket(ws);
  }

  private Response ops(Request request) {
    String since = request.queryParam("since").orElse("0");
    long rev = snapshot().rev();
    long from;
    try {
      from = Long.parseLong(since);
    } catch (NumberFormatException e) {
      from = -1;
    }
    if (from < 0 || from > rev) {
      return HttpErrors.error(
          400, "invalid_since", "?since= is a revision from 0 to " + rev + "; got " + since);
    }
    if (from < rev - KEPT_OPS) {
      return HttpErrors.error(
          410,
          "gone",
          "Only the last "
              + KEPT_OPS
              + " operations are kept; ask for ?since="
              + (rev - KEPT_OPS)
              + " or later");
    }
    List<Map<String, Object>> ops = new ArrayList<>();
    for (long r = from + 1; r <= rev; r++) {
      Applied a = storage.get(opKey(r), Applied.class).orElseThrow();
      ops.add(HttpErrors.fields("rev", r, "op", a.op(), "by", a.by()));
    }
    return Response.json(HttpErrors.fields("rev", rev, "ops", ops));
  }

  @Override
  public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    try {
      Map<String, Object> m = SocketMessages.parse(message, EXAMPLE);
      if (!"op".equals(m.get("type"))) {
        throw new InvalidArgumentException(
            "Unknown message type \"" + m.get("type") + "\"; send " + EXAMPLE);
      }
      apply(ws, m);
    } catch (InvalidArgumentException | LimitExceededException e) {
      error(ws, e.getMessage());
    }
    return done();
  }

  private void apply(WebSocket ws, Map<String, Object> m) {
    Snapshot doc = snapshot();
    long base = SocketMessages.integer(m, "rev", 0, doc.rev());
    TextOperation op = TextOperation.fromJson(m.get("op"));
    if (base < doc.rev() - KEPT_OPS) {
      throw new InvalidArgumentException(
          "Revision "
              + base
              + " is too old: the document keeps the last "
              + KEPT_OPS
              + " operations and is at revision "
              + doc.rev()
              + "; reload it");
    }
    int baseLength = doc.text().length();
    List<TextOperation> seen = new ArrayList<>();
    for (long r = base + 1; r <= doc.rev(); r++) {
      seen.add(TextOperation.fromJson(storage.get(opKey(r), Applied.class).orElseThrow().op()));
    }
    if (!seen.isEmpty()) {
      baseLength = seen.get(0).baseLength();
    }
    if (op.baseLength() != baseLength) {
      throw new InvalidArgumentException(
          "Operation refused: it applies to a text of "
              + op.baseLength()
              + " characters, but revision "
              + base
              + " has "
              + baseLength);
    }
    for (TextOperation other : seen) {
      op = TextOperation.transform(op, other)[0];
    }
    String text = op.apply(doc.text());
    if (text.length() > MAX_LENGTH) {
      throw new InvalidArgumentException(
          "A document is at most "
              + MAX_LENGTH
              + " characters; this operation makes it "
              + text.length());
    }
    long rev = doc.rev() + 1;
    Editor editor = ws.deserializeAttachment(Editor.class);
    storage.put(
        Map.of("doc", new Snapshot(rev, text), opKey(rev), new Applied(op.toJson(), editor.id())));
    if (rev > KEPT_OPS) {
      storage.delete(opKey(rev - KEPT_OPS));
    }
    ws.send(json(HttpErrors.fields("type", "ack", "rev", rev)));
    broadcast(
        json(HttpErrors.fields("type", "op", "rev", rev, "op", op.toJson(), "by", editor.id())),
        ws);
  }

  @Override
  public CompletionStage<Void> webSocketClose(
      WebSocket ws, int code, String reason, boolean wasClean) {
    broadcast(json(HttpErrors.fields("type", "editors", "editors", editors(ws))), ws);
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketError(WebSocket ws, Throwable error) {
    return webSocketClose(ws, 1006, String.valueOf(error.getMessage()), false);
  }

  private Snapshot snapshot() {
    return storage.get("doc", Snapshot.class).orElse(new Snapshot(0, ""));
  }

  private void broadcast(String json, WebSocket except) {
    for (WebSocket ws : state.getWebSockets("editor")) {
      if (!ws.equals(except)) {
        ws.send(json);
      }
    }
  }

  private List<String> editors(WebSocket except) {
    List<String> users = new ArrayList<>();
    for (WebSocket ws : state.getWebSockets("editor")) {
      Editor e = ws.equals(except) ? null : ws.deserializeAttachment(Editor.class);
      if (e != null) {
        users.add(e.user());
      }
    }
    users.sort(null);
    return users;
  }

  private static String opKey(long rev) {
    return String.format("op:%012d", rev);
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}

package io.duro.runtime.object;

import io.duro.api.EventStream;
import io.duro.api.InvalidArgumentException;
import io.duro.api.LimitExceededException;
import io.duro.api.Request;
import io.duro.api.WebSocket;
import io.duro.runtime.connections.Connections;
import io.duro.runtime.connections.SocketTable.Entry;
import io.duro.runtime.connections.SocketTable.Kind;
import io.duro.runtime.connections.SocketTable;
import io.duro.storage.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The WebSockets and event streams of one object, as its instances see them.
 *
 * <p>The table of accepted connections lives in the node's {@link Connections} registry, so it
 * outlives the entity: an object with open sockets can be passivated (hibernate) and its next
 * instance finds them again. Everything that reaches a client (the acceptance, sends, closes)
 * goes through the object's output gate.
 */
public final class ObjectSockets {

  /** The status with which an object answers an event for a connection it does not know. */
  public static final int UNKNOWN_CONNECTION = 410;

  static final int MAX_TAGS = 10;
  static final int MAX_TAG_CHARS = 256;
  static final int MAX_ATTACHMENT_BYTES = 16 * 1024;
  static final int MAX_AUTO_RESPONSE_CHARS = 2048;
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private final Connections connections;
  private final String namespaceKey;
  private final String entityId;
  private final String tableKey;
  private final ValueCodec codec;
  private final int maxConnections;
  private final ObjectTurns turns;
  private final Map<String, Object> handles = new HashMap<>();

  ObjectSockets(
      Connections connections,
      String namespaceKey,
      String entityId,
      ValueCodec codec,
      int maxConnections,
      ObjectTurns turns) {
    this.connections = connections;
    this.namespaceKey = namespaceKey;
    this.entityId = entityId;
    this.tableKey = Connections.tableKey(namespaceKey, entityId);
    this.codec = codec;
    this.maxConnections = maxConnections;
    this.turns = turns;
  }

  /** A new instance starts: handles of the previous one are not reused. */
  void newInstance() {
    handles.clear();
  }

  private SocketTable table() {
    return connections.tables().get(tableKey);
  }

  private SocketTable tableForWrite() {
    return connections.tables().computeIfAbsent(tableKey, k -> new SocketTable());
  }

  WebSocket acceptWebSocket(Request request, String[] tags) {
    if (!request.isWebSocketUpgrade()) {
      throw new InvalidArgumentException(
          "acceptWebSocket needs the request of a WebSocket upgrade (a GET with 'Upgrade:"
              + " websocket' that came through the gateway); got "
              + request);
    }
    return (WebSocket) accept(request, tags, Kind.WEB_SOCKET);
  }

  EventStream acceptEventStream(Request request, String[] tags) {
    if (!request.acceptsEventStream()) {
      throw new InvalidArgumentException(
          "acceptEventStream needs a request that came through the gateway with 'Accept:"
              + " text/event-stream'; got "
              + request);
    }
    return (EventStream) accept(request, tags, Kind.EVENT_STREAM);
  }

  private Object accept(Request request, String[] tags, Kind kind) {
    List<String> tagList = checkTags(tags);
    String id = request.connectionId().orElseThrow();
    ActorRef<Connections.Signal> hub = connections.hubOf(id);
    if (hub == null) {
      throw new InvalidArgumentException("Malformed connection ID " + id);
    }
    SocketTable table = tableForWrite();
    if (table.get(id) != null) {
      throw new InvalidArgumentException("Connection " + id + " was already accepted");
    }
    if (table.size() >= maxConnections) {
      throw new LimitExceededException(
          "connections per object",
          table.size() + 1,
          maxConnections,
          "Object "
              + entityId
              + " already holds "
              + table.size()
              + " WebSockets and event streams (limit "
              + maxConnections
              + ", duro.runtime.max-connections-per-object); close some first");
    }
    Entry entry = new Entry(id, kind, hub, tagList);
    table.add(entry);
    Connections.Accepted accepted =
        new Connections.Accepted(
            id,
            namespaceKey,
            entityId,
            connections.hub(),
            kind == Kind.WEB_SOCKET ? table.autoRequest() : null,
            kind == Kind.WEB_SOCKET ? table.autoResponseText() : null);
    turns.emit(() -> hub.tell(accepted), e -> {});
    return handle(entry);
  }

  private static List<String> checkTags(String[] tags) {
    if (tags == null) {
      return List.of();
    }
    if (tags.length > MAX_TAGS) {
      throw new InvalidArgumentException(
          "A connection takes at most " + MAX_TAGS + " tags; got " + tags.length);
    }
    for (String tag : tags) {
      if (tag == null || tag.isEmpty()) {
        throw new InvalidArgumentException("A connection tag cannot be null or empty");
      }
      if (tag.length() > MAX_TAG_CHARS) {
        throw new InvalidArgumentException(
            "A connection tag is at most "
                + MAX_TAG_CHARS
                + " characters; got one of "
                + tag.length());
      }
    }
    return List.of(tags);
  }

  /** A connection the client or the gateway ended; null if the object did not know it. */
  Object removed(String id) {
    SocketTable table = table();
    if (table == null) {
      return null;
    }
    Entry e = table.remove(id);
    if (table.isEmpty()) {
      connections.tables().remove(tableKey, table);
    }
    return e == null ? null : handle(e);
  }

  /** The handle of a known connection, or null. */
  Object known(String id) {
    SocketTable table = table();
    Entry e = table == null ? null : table.get(id);
    return e == null ? null : handle(e);
  }

  /** Forgets a connection accepted by a turn that failed or whose answer did not hand it over. */
  void forget(String id) {
    SocketTable table = table();
    if (table != null && table.remove(id) != null && table.isEmpty()) {
      connections.tables().remove(tableKey, table);
    }
    handles.remove(id);
  }

  boolean holds(String id) {
    SocketTable table = table();
    return table != null && table.get(id) != null;
  }

  @SuppressWarnings("unchecked")
  <T> List<T> list(Kind kind, String tag) {
    SocketTable table = table();
    if (table == null) {
      return List.of();
    }
    List<T> out = new ArrayList<>();
    for (Entry e : table.select(e -> e.kind == kind && (tag == null || e.tags.contains(tag)))) {
      out.add((T) handle(e));
    }
    return out;
  }

  void setAutoResponse(String request, String response) {
    if (request != null) {
      if (response == null) {
        throw new InvalidArgumentException("An auto-response request needs a response");
      }
      if (request.isEmpty()
          || request.length() > MAX_AUTO_RESPONSE_CHARS
          || response.length() > MAX_AUTO_RESPONSE_CHARS) {
        throw new InvalidArgumentException(
            "An auto-response request and response are 1 to "
                + MAX_AUTO_RESPONSE_CHARS
                + " characters long");
      }
    }
    SocketTable table = tableForWrite();
    table.autoResponse(request, request == null ? null : response);
    for (Entry e : table.select(e -> e.kind == Kind.WEB_SOCKET)) {
      Connections.AutoResponse signal = new Connections.AutoResponse(e.id, request, response);
      turns.emit(() -> e.hub.tell(signal), x -> {});
    }
    if (table.isEmpty()) {
      connections.tables().remove(tableKey, table);
    }
  }

  Optional<Instant> autoResponseAt(WebSocket ws) {
    SocketTable table = table();
    long at = table == null ? 0 : table.autoResponseAt(ws.id());
    return at == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(at));
  }

  private Object handle(Entry e) {
    return handles.computeIfAbsent(
        e.id, id -> e.kind == Kind.WEB_SOCKET ? new Socket(e) : new Stream(e));
  }

  private Entry live(Entry e, String what) {
    if (!turns.inTurn()) {
      throw new IllegalStateException(
          what + " on connection " + e.id + " was called outside the object's turns");
    }
    SocketTable table = table();
    if (table == null || table.get(e.id) != e) {
      throw new IllegalStateException(
          (e.kind == Kind.WEB_SOCKET ? "WebSocket " : "Event stream ") + e.id + " is closed");
    }
    return e;
  }

  private void emit(Entry e, Connections.Signal signal) {
    turns.emit(() -> e.hub.tell(signal), x -> {});
  }

  private void close(Entry e, int code, String reason) {
    forget(e.id);
    emit(e, new Connections.Close(e.id, code, reason));
  }

  /** What a socket's and a stream's handle share: the entry, identity by ID. */
  private abstract static class Handle {
    final Entry entry;

    Handle(Entry entry) {
      this.entry = entry;
    }

    public String id() {
      return entry.id;
    }

    public List<String> tags() {
      return entry.tags;
    }

    @Override
    public boolean equals(Object o) {
      return o != null && o.getClass() == getClass() && ((Handle) o).entry.id.equals(entry.id);
    }

    @Override
    public int hashCode() {
      return entry.id.hashCode();
    }

    @Override
    public String toString() {
      return (entry.kind == Kind.WEB_SOCKET ? "WebSocket " : "EventStream ")
          + entry.id
          + " "
          + entry.tags;
    }
  }

  private final class Socket extends Handle implements WebSocket {

    Socket(Entry entry) {
      super(entry);
    }

    @Override
    public void send(String text) {
      if (text == null) {
        throw new InvalidArgumentException("Cannot send a null text message");
      }
      emit(live(entry, "send"), new Connections.Send(entry.id, text, null, null, null));
    }

    @Override
    public void send(byte[] data) {
      if (data == null) {
        throw new InvalidArgumentException("Cannot send a null binary message");
      }
      emit(live(entry, "send"), new Connections.Send(entry.id, null, data.clone(), null, null));
    }

    @Override
    public void close(int code, String reason) {
      String why = reason == null ? "" : reason;
      if (code != 1000 && (code < 3000 || code > 4999)) {
        throw new InvalidArgumentException(
            "A WebSocket close code is 1000 or 3000-4999; got " + code);
      }
      if (why.getBytes(StandardCharsets.UTF_8).length > MAX_CLOSE_REASON_BYTES) {
        throw new InvalidArgumentException(
            "A WebSocket close reason is at most " + MAX_CLOSE_REASON_BYTES + " bytes of UTF-8");
      }
      ObjectSockets.this.close(live(entry, "close"), code, why);
    }

    @Override
    public void serializeAttachment(Object value) {
      live(entry, "serializeAttachment");
      if (value == null) {
        entry.attachment = null;
        return;
      }
      byte[] bytes = codec.encode(value);
      if (bytes.length > MAX_ATTACHMENT_BYTES) {
        throw new LimitExceededException(
            "attachment bytes",
            bytes.length,
            MAX_ATTACHMENT_BYTES,
            "A WebSocket attachment is at most "
                + MAX_ATTACHMENT_BYTES
                + " bytes serialized; this one is "
                + bytes.length
                + "; keep large data in storage and attach its key");
      }
      entry.attachment = bytes;
    }

    @Override
    public <T> T deserializeAttachment(Class<T> type) {
      byte[] bytes = entry.attachment;
      return bytes == null ? null : codec.decode(bytes, type);
    }

  }

  private static boolean hasLineBreak(String s) {
    return s != null && (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0);
  }

  private final class Stream extends Handle implements EventStream {

    Stream(Entry entry) {
      super(entry);
    }

    @Override
    public void send(String eventId, String event, String data) {
      if (hasLineBreak(event) || hasLineBreak(eventId)) {
        throw new InvalidArgumentException("An event name or ID cannot contain a line break");
      }
      if (data == null) {
        throw new InvalidArgumentException("Cannot send an event with null data");
      }
      emit(live(entry, "send"), new Connections.Send(entry.id, data, null, event, eventId));
    }

    @Override
    public void close() {
      ObjectSockets.this.close(live(entry, "close"), 1000, "");
    }

  }
}

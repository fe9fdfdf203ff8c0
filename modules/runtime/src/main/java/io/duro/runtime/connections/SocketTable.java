package io.duro.runtime.connections;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The WebSockets and event streams one object holds. It lives in the node's {@link
 * Connections#tables() registry}, not in the entity, so it survives the object's passivation
 * (hibernation): the next instance of the object finds it again. The entity uses it on its turns;
 * the node's hub updates auto-response times from other threads, hence the locking.
 */
public final class SocketTable {

  /** What kind of connection an entry is. */
  public enum Kind {
    WEB_SOCKET,
    EVENT_STREAM
  }

  /** One accepted connection. */
  public static final class Entry {
    public final String id;
    public final Kind kind;
    public final ActorRef<Connections.Signal> hub;
    public final List<String> tags;
    public byte[] attachment;
    long autoResponseAt;

    public Entry(String id, Kind kind, ActorRef<Connections.Signal> hub, List<String> tags) {
      this.id = id;
      this.kind = kind;
      this.hub = hub;
      this.tags = tags;
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private String autoRequest;
  private String autoResponse;

  public synchronized void add(Entry entry) {
    entries.put(entry.id, entry);
  }

  public synchronized Entry get(String id) {
    return entries.get(id);
  }

  public synchronized Entry remove(String id) {
    return entries.remove(id);
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized List<Entry> select(Predicate<Entry> filter) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  public synchronized void autoResponse(String request, String response) {
    this.autoRequest = request;
    this.autoResponse = response;
  }

  public synchronized String autoRequest() {
    return autoRequest;
  }

  public synchronized String autoResponseText() {
    return autoResponse;
  }

  public synchronized long autoResponseAt(String id) {
    Entry e = entries.get(id);
    return e == null ? 0 : e.autoResponseAt;
  }

  /** The gateway answered an auto-response request on connection {@code id} at {@code at}. */
  public synchronized void autoResponded(String id, long at) {
    Entry e = entries.get(id);
    if (e != null && at > e.autoResponseAt) {
      e.autoResponseAt = at;
    }
  }

  public synchronized boolean isEmpty() {
    return entries.isEmpty() && autoRequest == null;
  }
}

package io.duro.runtime.connections;

import io.duro.runtime.internal.CborSerializable;
import io.duro.runtime.stubs.ObjectClient;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The client connections of one node: WebSockets and event streams held by this node's gateway,
 * and the socket tables of the objects that live on this node.
 *
 * <p>A connection ID names the node's hub actor and a number, so an object anywhere in the cluster
 * can reach the connection with {@link Signal}s. The gateway {@link #open opens} an ID for every
 * request that may become a long-lived connection, {@link #attach attaches} a handler once the
 * object accepted it and the client is connected, and {@link #release releases} it at the end.
 * Signals that arrive before the handler is attached (an object's first sends race its 101 answer)
 * wait in the connection's slot.
 */
public final class Connections {

  /** What an object sends to a connection, or a gateway to an object's node. */
  public sealed interface Signal {}

  /**
   * The object accepted the connection. Sent before the object's answer, with where to deliver the
   * client's messages.
   *
   * @param connectionId the connection
   * @param namespaceKey the object's namespace key
   * @param entityId the object's ID (hex)
   * @param objectHub the hub of the object's node (for auto-response times)
   * @param autoRequest the object's auto-response request, or null
   * @param autoResponse the object's auto-response answer, or null
   */
  public record Accepted(
      String connectionId,
      String namespaceKey,
      String entityId,
      ActorRef<Signal> objectHub,
      String autoRequest,
      String autoResponse)
      implements Signal, CborSerializable {}

  /**
   * A message for the client: text, or binary when {@code data} is set.
   *
   * @param connectionId the connection
   * @param text the text, or null
   * @param data the bytes, or null
   * @param event an event-stream event name, or null
   * @param eventId an event-stream event ID, or null
   */
  public record Send(String connectionId, String text, byte[] data, String event, String eventId)
      implements Signal, CborSerializable {}

  /**
   * The object closes the connection.
   *
   * @param connectionId the connection
   * @param code the WebSocket close code
   * @param reason the reason
   */
  public record Close(String connectionId, int code, String reason)
      implements Signal, CborSerializable {}

  /**
   * The object's auto-response pair changed.
   *
   * @param connectionId the connection
   * @param request the request text, or null to stop
   * @param response the answer
   */
  public record AutoResponse(String connectionId, String request, String response)
      implements Signal, CborSerializable {}

  /**
   * The gateway answered an auto-response request (sent to the object's node).
   *
   * @param objectKey the object's table key
   * @param connectionId the connection
   * @param at epoch milliseconds
   */
  public record AutoResponded(String objectKey, String connectionId, long at)
      implements Signal, CborSerializable {}

  /** What a client sent, for the object. */
  public enum EventKind {
    TEXT,
    BINARY,
    CLOSE,
    ERROR
  }

  /** Receives the signals of one connection, on the hub's thread; must not block. */
  public interface Handler {
    /**
     * Handles one signal.
     *
     * @param signal an {@link Accepted}, {@link Send}, {@link Close} or {@link AutoResponse}
     */
    void handle(Signal signal);
  }

  private static final class Slot {
    private final ArrayDeque<Signal> early = new ArrayDeque<>();
    private Handler handler;
    private Accepted accepted;
    private boolean overflowed;

    synchronized void offer(Signal signal, int bound) {
      if (signal instanceof Accepted a) {
        accepted = a;
      }
      if (handler != null) {
        handler.handle(signal);
      } else if (early.size() < bound) {
        early.add(signal);
      } else {
        overflowed = true;
      }
    }

    synchronized void attach(Handler h, int bound) {
      handler = h;
      Signal s;
      while ((s = early.poll()) != null) {
        h.handle(s);
      }
      if (overflowed) {
        h.handle(new Close(null, 1008, "outgoing buffer of " + bound + " messages exceeded"));
      }
    }

    synchronized Accepted accepted() {
      return accepted;
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Connections.class);

  private final ActorSystem<?> system;
  private final ObjectClient client;
  private final int earlyBound;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final Map<String, SocketTable> tables = new ConcurrentHashMap<>();
  private final Map<String, ActorRef<Signal>> hubs = new ConcurrentHashMap<>();
  private final AtomicLong next = new AtomicLong();
  private final ActorRef<Signal> hub;
  private final String prefix;

  public Connections(ActorSystem<?> system, ObjectClient client, int earlyBound) {
    this.system = system;
    this.client = client;
    this.earlyBound = earlyBound;
    this.hub =
        system.systemActorOf(
            hubBehavior(), "duro-connections", org.apache.pekko.actor.typed.Props.empty());
    this.prefix = ActorRefResolver.get(system).toSerializationFormat(hub) + "~";
    hubs.put(ActorRefResolver.get(system).toSerializationFormat(hub), hub);
    system.systemActorOf(
        SocketJanitor.create(
            tables,
            client,
            system.settings().config().getInt("pekko.cluster.sharding.number-of-shards"),
            java.time.Duration.ofSeconds(10)),
        "duro-socket-janitor",
        org.apache.pekko.actor.typed.Props.empty());
  }

  private Behavior<Signal> hubBehavior() {
    return Behaviors.receiveMessage(
        signal -> {
          dispatch(signal);
          return Behaviors.same();
        });
  }

  private void dispatch(Signal signal) {
    if (signal instanceof AutoResponded r) {
      SocketTable table = tables.get(r.objectKey());
      if (table != null) {
        table.autoResponded(r.connectionId(), r.at());
      }
    } else if (signal instanceof Accepted a) {
      offer(a.connectionId(), a);
    } else if (signal instanceof Send s) {
      offer(s.connectionId(), s);
    } else if (signal instanceof Close c) {
      offer(c.connectionId(), c);
    } else if (signal instanceof AutoResponse r) {
      offer(r.connectionId(), r);
    }
  }

  private void offer(String id, Signal signal) {
    Slot slot = slots.get(id);
    if (slot != null) {
      slot.offer(signal, earlyBound); // else the client is gone: nothing to deliver to
    }
  }

  /**
   * Opens a connection ID for a request that may become a WebSocket or an event stream.
   *
   * @return the ID
   */
  public String open() {
    String id = prefix + Long.toString(next.incrementAndGet(), 36);
    slots.put(id, new Slot());
    return id;
  }

  /**
   * Attaches the handler of a connected client; signals that arrived earlier are handed over
   * first.
   *
   * @param id the connection
   * @param handler the handler
   */
  public void attach(String id, Handler handler) {
    Slot slot = slots.get(id);
    if (slot != null) {
      slot.attach(handler, earlyBound);
    }
  }

  /**
   * Forgets a connection: the client is gone, or the request was not answered with an accepted
   * connection.
   *
   * @param id the connection
   * @return what the object sent when it accepted the connection, or null if it did not
   */
  public Accepted release(String id) {
    Slot slot = slots.remove(id);
    return slot == null ? null : slot.accepted();
  }

  /**
   * A connection ended: forgets it and, if the object accepted it and did not close it itself,
   * tells the object how it ended ({@code webSocketClose}, {@code webSocketError} or {@code
   * eventStreamClose}). A failed delivery is only logged: the object may be gone with its node.
   *
   * @param id the connection
   * @param tellObject false when the object closed the connection itself
   * @param kind {@link EventKind#CLOSE} or {@link EventKind#ERROR}
   * @param code the close code
   * @param reason the close reason or error description
   * @param wasClean whether the close handshake completed
   */
  public void ended(
      String id, boolean tellObject, EventKind kind, int code, String reason, boolean wasClean) {
    Accepted accepted = release(id);
    if (accepted != null && tellObject && !shuttingDown()) {
      deliver(accepted, kind, null, null, code, reason, wasClean)
          .whenComplete(
              (known, error) -> {
                if (error != null) {
                  LOG.debug("End of connection {} not delivered: {}", id, error.toString());
                }
              });
    }
  }

  /**
   * Whether this node is shutting down. Its gateway's connections then end together; telling
   * their objects one by one would hold up the hand-off of this node's shards, and objects on
   * other nodes hear of it anyway when this node leaves the cluster ({@code SocketJanitor}).
   */
  private boolean shuttingDown() {
    return org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason().isPresent();
  }

  /**
   * Delivers what a client sent to the object that accepted its connection.
   *
   * @param target the object's {@link Accepted} signal
   * @param kind what happened
   * @param text the text, or null
   * @param data the bytes, or null
   * @param code the close code, for a close
   * @param reason the close reason or error description
   * @param wasClean whether the close handshake completed
   * @return completes with true once the object handled it, false if the object no longer knows
   *     the connection (it moved to another node)
   */
  public CompletionStage<Boolean> deliver(
      Accepted target,
      EventKind kind,
      String text,
      byte[] data,
      int code,
      String reason,
      boolean wasClean) {
    return client.sendEvent(
        target.namespaceKey(),
        target.entityId(),
        target.connectionId(),
        kind.ordinal(),
        text,
        data,
        code,
        reason,
        wasClean);
  }

  /**
   * Tells the object's node that the gateway answered an auto-response request.
   *
   * @param target the object's {@link Accepted} signal
   * @param at epoch milliseconds
   */
  public void autoResponded(Accepted target, long at) {
    target
        .objectHub()
        .tell(
            new AutoResponded(
                tableKey(target.namespaceKey(), target.entityId()), target.connectionId(), at));
  }

  /**
   * The hub of this node.
   *
   * @return the hub
   */
  public ActorRef<Signal> hub() {
    return hub;
  }

  /**
   * The hub that holds a connection, from the connection's ID.
   *
   * @param connectionId the ID
   * @return the hub, or null if the ID is malformed
   */
  public ActorRef<Signal> hubOf(String connectionId) {
    int cut = connectionId.lastIndexOf('~');
    if (cut <= 0) {
      return null;
    }
    String path = connectionId.substring(0, cut);
    ActorRef<Signal> known = hubs.get(path);
    if (known != null) {
      return known;
    }
    try {
      ActorRef<Signal> ref = ActorRefResolver.get(system).resolveActorRef(path);
      if (hubs.size() < 1024) {
        hubs.put(path, ref);
      }
      return ref;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The socket tables of the objects on this node, by {@link #tableKey}.
   *
   * @return the tables
   */
  public Map<String, SocketTable> tables() {
    return tables;
  }

  /**
   * The key of an object's socket table.
   *
   * @param namespaceKey the namespace
   * @param entityId the object's ID
   * @return the key
   */
  public static String tableKey(String namespaceKey, String entityId) {
    return namespaceKey + "|" + entityId;
  }

  /**
   * Closes every connection this node's gateway holds, as if each object had closed it: a
   * WebSocket gets a close frame with {@code code} and {@code reason}, an event stream ends. The
   * objects are not told. Used when the node shuts down, so that clients reconnect elsewhere
   * instead of seeing their connection break.
   *
   * @param code the WebSocket close code (1001, "going away", for a node shutting down)
   * @param reason the close reason
   * @return how many connections were told to close
   */
  public int closeAll(int code, String reason) {
    int n = 0;
    for (Map.Entry<String, Slot> e : slots.entrySet()) {
      e.getValue().offer(new Close(e.getKey(), code, reason), earlyBound);
      n++;
    }
    return n;
  }

  /**
   * How many connections this node's gateway holds open or opening.
   *
   * @return the count
   */
  public int openConnections() {
    return slots.size();
  }
}

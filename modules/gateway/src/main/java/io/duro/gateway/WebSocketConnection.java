package io.duro.gateway;

import io.duro.runtime.connections.Connections;
import io.duro.runtime.connections.Connections.EventKind;
import java.nio.charset.CharacterCodingException;
import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hibernatable WebSocket held by this gateway, as a single stage on the upgraded connection's
 * bytes: the frame protocol (RFC 6455, via {@link WsFrames}) and the message layer between the
 * client and the object that accepted the socket.
 *
 * <p>Client messages go to the object one at a time (the next frame is read once the object
 * handled the previous one), except auto-response requests, which are answered here without
 * reaching the object. The object's signals ({@link Connections.Signal}) arrive through the node's
 * {@link Connections} hub and are queued for the client; a client too slow to take them makes the
 * queue overflow its bound, and the socket is closed with 1008 — the object never waits. While the
 * socket is idle a ping keeps proxies and the server's idle timeout from closing it.
 *
 * <p>Protocol rules, as Pekko's frame layer applied them before: a client frame must be masked and
 * carry no reserved bit (1002), control frames are at most 125 bytes and not fragmented (1002),
 * text must be valid UTF-8 (1007), a message larger than the limit closes with 1009 before its
 * bytes are buffered; a ping is answered with a pong, a close frame is echoed and the connection
 * ends; after the gateway's own close frame everything but the client's close frame is dropped, and
 * the connection ends after {@code closeTimeout} if that frame does not come.
 *
 * <p>An idle socket holds only this stage's fields: buffers exist only while bytes or messages are
 * pending.
 */
final class WebSocketConnection extends GraphStage<FlowShape<ByteString, ByteString>> {

  private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

  /** Limits of one socket. */
  record Limits(
      int maxMessageBytes, int outgoingBuffer, Duration pingInterval, Duration closeTimeout) {}

  private static final String PING = "ping";
  private static final String CLOSE_DEADLINE = "close-deadline";

  private final Inlet<ByteString> in = Inlet.create("WebSocketConnection.in");
  private final Outlet<ByteString> out = Outlet.create("WebSocketConnection.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Connections connections;
  private final String id;
  private final Limits limits;

  WebSocketConnection(Connections connections, String id, Limits limits) {
    this.connections = connections;
    this.id = id;
    this.limits = limits;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {
    // bytes from the client not parsed yet, and payload bytes of a dropped frame still to come
    private ByteString pending;
    private long skip;
    // frames for the client not written yet; null when there are none
    private ArrayDeque<ByteString> queue;
    // the message arriving: its first frame's opcode (0: none) and its payload so far
    private int messageOpcode;
    private ByteString message;
    private Connections.Accepted target;
    private String autoRequest;
    private String autoResponse;
    private boolean delivering;
    private boolean closeSent; // the gateway's close frame is queued or sent
    private boolean finishing; // the connection ends once the queue is written
    private boolean objectClosed;
    private boolean idle = true;
    // what the object hears when the connection ends; a lost connection unless said otherwise
    private EventKind endKind = EventKind.CLOSE;
    private int endCode = 1006;
    private String endReason = "the connection was lost without a close frame";
    private boolean endClean;

    // the hub's signals and the object's delivery results, on the stage's thread
    private final AsyncCallback<Object> events = createAsyncCallback(this::onEvent);

    Logic() {
      super(shape);
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              ByteString bytes = grab(in);
              pending = pending == null ? bytes : pending.concat(bytes);
              readFrames();
            }

            @Override
            public void onUpstreamFinish() {
              readFrames(); // the client's side ended (after its close frame, or without one)
            }

            @Override
            public void onUpstreamFailure(Throwable ex) {
              ended(EventKind.ERROR, 1006, "connection failed: " + ex.getMessage(), false);
              completeStage();
            }
          });
      setHandler(out, new ClientOutHandler(this::flush, this::completeStage));
    }

    @Override
    public void preStart() {
      pull(in); // takes the first bytes at once: Pekko drops a connection whose input is not read
      connections.attach(id, events::invoke);
      scheduleWithFixedDelay(PING, limits.pingInterval(), limits.pingInterval());
    }

    @Override
    public void postStop() {
      connections.ended(id, !objectClosed, endKind, endCode, endReason, endClean);
    }

    @Override
    public void onTimer(Object key) {
      if (CLOSE_DEADLINE.equals(key)) {
        if (queue == null) {
          completeStage(); // the client did not answer the close frame
        } else {
          // the client does not even take the close frame (its buffers are full, or it is gone)
          failStage(new java.io.IOException("the client did not complete the close"));
        }
        return;
      }
      if (!closing() && idle && queue == null) {
        enqueue(WsFrames.ping());
      }
      idle = true;
    }

    private boolean closing() {
      return closeSent || finishing;
    }

    private void ended(EventKind kind, int code, String reason, boolean clean) {
      endKind = kind;
      endCode = code;
      endReason = reason;
      endClean = clean;
    }

    private void onEvent(Object event) {
      if (event instanceof Boolean known) {
        onDelivered(known);
      } else {
        onSignal((Connections.Signal) event);
      }
    }

    // ---- from the object ----

    private void onSignal(Connections.Signal signal) {
      if (signal instanceof Connections.Accepted a) {
        target = a;
        autoRequest = a.autoRequest();
        autoResponse = a.autoResponse();
        readFrames();
      } else if (signal instanceof Connections.Send s) {
        if (closing()) {
          return;
        }
        if (queue != null && queue.size() >= limits.outgoingBuffer()) {
          overflow();
          return;
        }
        enqueue(s.data() != null ? WsFrames.binary(s.data()) : WsFrames.text(s.text()));
      } else if (signal instanceof Connections.Close c) {
        if (c.connectionId() == null) {
          overflow(); // the object's first sends overflowed before the client was connected
        } else if (!closing()) {
          objectClosed = true;
          startClosing(WsFrames.close(c.code(), c.reason()));
          readFrames(); // for the client's close frame
        }
      } else if (signal instanceof Connections.AutoResponse r) {
        autoRequest = r.request();
        autoResponse = r.response();
      }
    }

    private void overflow() {
      if (closing()) {
        return;
      }
      queue = null;
      String reason = "outgoing buffer of " + limits.outgoingBuffer() + " messages exceeded";
      log.info("Closing WebSocket {}: {}", id, reason);
      ended(EventKind.CLOSE, 1008, reason, false);
      startClosing(WsFrames.close(1008, reason));
      readFrames(); // for the client's close frame
    }

    /** Sends a close frame after what is queued; gives up on the client after the timeout. */
    private void startClosing(ByteString closeFrame) {
      closeSent = true;
      messageOpcode = 0;
      message = null;
      enqueue(closeFrame);
      scheduleOnce(CLOSE_DEADLINE, limits.closeTimeout());
    }

    private void enqueue(ByteString frame) {
      if (queue == null) {
        queue = new ArrayDeque<>(4);
      }
      queue.add(frame);
      flush();
    }

    /** Writes what is queued, as one chunk, when the connection can take it. */
    private void flush() {
      if (queue != null && isAvailable(out)) {
        ByteString chunk = queue.poll();
        ByteString next;
        while ((next = queue.poll()) != null) {
          chunk = chunk.concat(next);
        }
        queue = null;
        push(out, chunk);
      }
      if (finishing && queue == null) {
        completeStage();
      }
    }

    // ---- from the client ----

    /** Handles the frames that have arrived, while the object is ready for the next message. */
    private void readFrames() {
      boolean needBytes = false;
      while (!finishing && (target != null || closeSent) && !delivering) {
        if (pending == null || !readFrame()) {
          needBytes = true;
          break;
        }
      }
      if (finishing) {
        return;
      }
      if (isClosed(in)) {
        if (needBytes || target == null) {
          finishing = true; // the client left; what it sent is handled
          flush();
        }
      } else if (needBytes && !hasBeenPulled(in)) {
        pull(in);
      }
    }

    /**
     * Reads one frame (or drops bytes) from {@code pending}.
     *
     * @return false when more bytes are needed
     */
    private boolean readFrame() {
      if (skip > 0) {
        int n = (int) Math.min(skip, pending.size());
        skip -= n;
        consume(n);
        return true;
      }
      WsFrames.Header h = WsFrames.header(pending);
      if (h == null) {
        return false;
      }
      if (closeSent) {
        return readAfterClose(h);
      }
      if (!h.masked() || h.reserved() != 0 || h.length() < 0) {
        return protocolError(h, 1002, "");
      }
      if (h.isControl()) {
        if (h.length() > WsFrames.MAX_CONTROL_PAYLOAD || !h.fin()) {
          return protocolError(h, 1002, "");
        }
        if (h.opcode() != WsFrames.CLOSE
            && h.opcode() != WsFrames.PING
            && h.opcode() != WsFrames.PONG) {
          return protocolError(h, 1002, "Unsupported opcode");
        }
      } else if (h.opcode() == WsFrames.CONTINUATION
          ? messageOpcode == 0
          : (h.opcode() != WsFrames.TEXT && h.opcode() != WsFrames.BINARY) || messageOpcode != 0) {
        return protocolError(h, 1002, "");
      } else if ((message == null ? 0 : message.size()) + h.length() > limits.maxMessageBytes()) {
        String reason = "message larger than " + limits.maxMessageBytes() + " bytes";
        ended(EventKind.ERROR, 1009, reason, false);
        drop(h);
        startClosing(WsFrames.close(1009, reason));
        return true;
      }
      if (pending.size() < h.size() + h.length()) {
        return false; // the payload is not all here yet (a data frame's is bounded by the limit)
      }
      byte[] payload =
          WsFrames.unmask(pending.slice(h.size(), h.size() + (int) h.length()), h.mask());
      consume(h.size() + (int) h.length());
      idle = false;
      switch (h.opcode()) {
        case WsFrames.PING -> enqueue(WsFrames.pong(payload));
        case WsFrames.PONG -> {}
        case WsFrames.CLOSE -> onPeerClose(payload);
        default -> collect(h, payload);
      }
      return true;
    }

    /** After the gateway's close frame only the client's close frame counts. */
    private boolean readAfterClose(WsFrames.Header h) {
      if (h.opcode() != WsFrames.CLOSE || h.length() < 0 || h.length() > 125) {
        drop(h);
        return true;
      }
      if (pending.size() < h.size() + h.length()) {
        return false;
      }
      consume(h.size() + (int) h.length());
      endClean = true;
      finishing = true;
      flush();
      return true;
    }

    private boolean protocolError(WsFrames.Header h, int code, String reason) {
      ended(
          EventKind.ERROR,
          code,
          "protocol error " + code + (reason.isEmpty() ? "" : ": " + reason),
          false);
      drop(h);
      startClosing(WsFrames.close(code, reason));
      return true;
    }

    /** Drops a frame that is not read, without buffering its payload. */
    private void drop(WsFrames.Header h) {
      consume(h.size());
      skip = h.length() < 0 ? Long.MAX_VALUE : h.length();
    }

    private void consume(int n) {
      pending = n >= pending.size() ? null : pending.drop(n);
    }

    private void onPeerClose(byte[] payload) {
      int code;
      String reason = "";
      if (payload.length == 0) {
        code = 1005; // no status
      } else if (payload.length == 1) {
        code = 1002;
        reason = "Peer sent illegal close frame (close code must be length 2 but was 1).";
      } else {
        code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        try {
          reason = WsFrames.utf8(java.util.Arrays.copyOfRange(payload, 2, payload.length));
          if (!WsFrames.isValidCloseCode(code)) {
            reason = "Peer sent illegal close frame (invalid close code '" + code + "').";
            code = 1002;
          }
        } catch (CharacterCodingException e) {
          reason = "Peer sent illegal close frame (close reason message is invalid UTF8).";
          code = 1002;
        }
      }
      ended(EventKind.CLOSE, code, reason, true);
      // echo it (1000 if it had none) after what is queued, then end the connection
      enqueue(WsFrames.close(code == 1005 ? 1000 : code, reason));
      finishing = true;
      flush();
    }

    private void collect(WsFrames.Header h, byte[] payload) {
      if (messageOpcode == 0) {
        messageOpcode = h.opcode();
      }
      ByteString part = ByteString.fromArrayUnsafe(payload);
      message = message == null ? part : message.concat(part);
      if (!h.fin()) {
        return;
      }
      byte[] data = message.toArray();
      int opcode = messageOpcode;
      message = null;
      messageOpcode = 0;
      if (opcode == WsFrames.BINARY) {
        deliver(EventKind.BINARY, null, data);
        return;
      }
      String text;
      try {
        text = WsFrames.utf8(data);
      } catch (CharacterCodingException e) {
        ended(EventKind.ERROR, 1007, "protocol error 1007", false);
        startClosing(WsFrames.close(1007, ""));
        return;
      }
      if (autoRequest != null && autoRequest.equals(text)) {
        enqueue(WsFrames.text(autoResponse));
        connections.autoResponded(target, System.currentTimeMillis());
        return;
      }
      deliver(EventKind.TEXT, text, null);
    }

    private void deliver(EventKind kind, String text, byte[] data) {
      delivering = true;
      connections
          .deliver(target, kind, text, data, 0, null, false)
          .whenComplete(
              (known, error) -> {
                if (error != null) {
                  log.warn("Message on WebSocket {} not handled: {}", id, error.toString());
                }
                events.invoke(error == null ? known : Boolean.TRUE);
              });
    }

    private void onDelivered(Boolean known) {
      delivering = false;
      if (!known && !closing()) {
        // the object no longer holds this socket: it moved to another node
        objectClosed = true;
        startClosing(WsFrames.close(1012, "the object moved; reconnect"));
      }
      readFrames();
    }
  }
}

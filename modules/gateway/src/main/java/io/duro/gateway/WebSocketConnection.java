package io.duro.gateway;

import io.duro.runtime.Connections;
import io.duro.runtime.Connections.EventKind;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message layer of one hibernatable WebSocket held by this gateway: between Pekko's frame
 * layer ({@link WsFrames}) and the object that accepted the socket.
 *
 * <p>Client messages go to the object one at a time (the next frame is read once the object
 * handled the previous one), except auto-response requests, which are answered here without
 * reaching the object. The object's signals ({@link Connections.Signal}) arrive through the node's
 * {@link Connections} hub and are queued for the client; a client too slow to take them makes the
 * queue overflow its bound, and the socket is closed with 1008 — the object never waits. While the
 * socket is idle a ping keeps proxies and the server's idle timeout from closing it.
 */
final class WebSocketConnection extends GraphStage<FlowShape<Object, Object>> {

  private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

  /** Limits of one socket. */
  record Limits(
      int maxMessageBytes, int outgoingBuffer, Duration pingInterval, Duration closeTimeout) {}

  private final Inlet<Object> in = Inlet.create("WebSocketConnection.in");
  private final Outlet<Object> out = Outlet.create("WebSocketConnection.out");
  private final FlowShape<Object, Object> shape = FlowShape.of(in, out);
  private final Connections connections;
  private final String id;
  private final Limits limits;

  WebSocketConnection(Connections connections, String id, Limits limits) {
    this.connections = connections;
    this.id = id;
    this.limits = limits;
  }

  @Override
  public FlowShape<Object, Object> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private Connections.Accepted target;
    private String autoRequest;
    private String autoResponse;
    private StringBuilder text;
    private ByteArrayOutputStream bytes;
    private long messageBytes;
    private boolean delivering;
    private boolean closing;
    private boolean objectClosed;
    private boolean idle = true;
    // what the object hears when the connection ends; a lost connection unless said otherwise
    private EventKind endKind = EventKind.CLOSE;
    private int endCode = 1006;
    private String endReason = "the connection was lost without a close frame";
    private boolean endClean;

    private final AsyncCallback<Connections.Signal> signals = createAsyncCallback(this::onSignal);
    private final AsyncCallback<Boolean> delivered = createAsyncCallback(this::onDelivered);

    Logic() {
      super(shape);
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              onFrame(grab(in));
            }

            @Override
            public void onUpstreamFinish() {
              // the client's side ended (after its close frame, or without one)
              if (queue.isEmpty()) {
                completeStage();
              } else {
                closing = true;
              }
            }

            @Override
            public void onUpstreamFailure(Throwable ex) {
              ended(EventKind.ERROR, 1006, "connection failed: " + ex.getMessage(), false);
              completeStage();
            }
          });
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              flush();
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              completeStage();
            }
          });
    }

    @Override
    public void preStart() {
      connections.attach(id, signals::invoke);
      scheduleWithFixedDelay("ping", limits.pingInterval(), limits.pingInterval());
    }

    @Override
    public void postStop() {
      connections.ended(id, !objectClosed, endKind, endCode, endReason, endClean);
    }

    @Override
    public void onTimer(Object key) {
      if (key.equals("close-deadline")) {
        // the client did not take the close frame (its buffers are full, or it is gone)
        failStage(new java.io.IOException("the client did not complete the close"));
        return;
      }
      if (closing) {
        enqueue(WsFrames.tick()); // lets the frame layer enforce its close timeout
      } else if (idle && queue.isEmpty()) {
        enqueue(WsFrames.ping());
      }
      idle = true;
    }

    private void ended(EventKind kind, int code, String reason, boolean clean) {
      endKind = kind;
      endCode = code;
      endReason = reason;
      endClean = clean;
    }

    // ---- from the object ----

    private void onSignal(Connections.Signal signal) {
      if (signal instanceof Connections.Accepted a) {
        target = a;
        autoRequest = a.autoRequest();
        autoResponse = a.autoResponse();
        if (!hasBeenPulled(in) && !isClosed(in) && !delivering) {
          pull(in);
        }
      } else if (signal instanceof Connections.Send s) {
        if (closing) {
          return;
        }
        if (queue.size() >= limits.outgoingBuffer()) {
          overflow();
          return;
        }
        enqueue(s.data() != null ? WsFrames.binaryFrame(s.data()) : WsFrames.textFrame(s.text()));
      } else if (signal instanceof Connections.Close c) {
        if (c.connectionId() == null) {
          overflow(); // the object's first sends overflowed before the client was connected
        } else if (!closing) {
          objectClosed = true;
          startClosing(WsFrames.close(c.code(), c.reason()));
        }
      } else if (signal instanceof Connections.AutoResponse r) {
        autoRequest = r.request();
        autoResponse = r.response();
      }
    }

    private void overflow() {
      if (closing) {
        return;
      }
      queue.clear();
      String reason = "outgoing buffer of " + limits.outgoingBuffer() + " messages exceeded";
      log.info("Closing WebSocket {}: {}", id, reason);
      ended(EventKind.CLOSE, 1008, reason, false);
      startClosing(WsFrames.close(1008, reason));
    }

    /** Sends a close frame after what is queued; gives up on the client after the timeout. */
    private void startClosing(Object closeFrame) {
      closing = true;
      enqueue(closeFrame);
      scheduleOnce("close-deadline", limits.closeTimeout().multipliedBy(2));
    }

    private void enqueue(Object frame) {
      queue.add(frame);
      flush();
    }

    private void flush() {
      while (isAvailable(out) && !queue.isEmpty()) {
        push(out, queue.poll());
      }
      if (queue.isEmpty() && isClosed(in)) {
        completeStage();
      }
    }

    // ---- from the client ----

    private void onFrame(Object part) {
      idle = false;
      if (WsFrames.isText(part) || WsFrames.isBinary(part)) {
        collect(part);
      } else if (WsFrames.isPeerClosed(part)) {
        int code = WsFrames.peerCode(part);
        ended(EventKind.CLOSE, code, WsFrames.peerReason(part), true);
        closing = true;
        enqueue(part);
        enqueue(WsFrames.handlerCompleted());
        pullIfReady();
      } else if (WsFrames.isProtocolClose(part)) {
        // the frame layer found a protocol violation (e.g. invalid UTF-8: 1007) and closes
        closing = true;
        ended(
            EventKind.ERROR,
            WsFrames.protocolCode(part),
            "protocol error "
                + WsFrames.protocolCode(part)
                + (WsFrames.protocolReason(part).isEmpty() ? "" : ": " + WsFrames.protocolReason(part)),
            false);
        enqueue(part);
        pullIfReady();
      } else if (WsFrames.isDirectAnswer(part)) {
        enqueue(part); // a pong for the client's ping
        pullIfReady();
      } else {
        pullIfReady(); // the end of a message
      }
    }

    private void collect(Object part) {
      boolean isText = WsFrames.isText(part);
      if (isText) {
        String chunk = WsFrames.text(part);
        if (text == null) {
          text = new StringBuilder(chunk.length());
        }
        text.append(chunk);
        messageBytes += chunk.length();
      } else {
        ByteString chunk = WsFrames.binary(part);
        if (bytes == null) {
          bytes = new ByteArrayOutputStream(chunk.size());
        }
        bytes.writeBytes(chunk.toArray());
        messageBytes += chunk.size();
      }
      if (messageBytes > limits.maxMessageBytes()) {
        text = null;
        bytes = null;
        String reason = "message larger than " + limits.maxMessageBytes() + " bytes";
        ended(EventKind.ERROR, 1009, reason, false);
        startClosing(WsFrames.close(1009, reason));
        return; // reads nothing more from this client
      }
      if (!WsFrames.isLast(part)) {
        pullIfReady();
        return;
      }
      messageBytes = 0;
      if (isText) {
        String message = text.toString();
        text = null;
        if (autoRequest != null && autoRequest.equals(message)) {
          enqueue(WsFrames.textFrame(autoResponse));
          connections.autoResponded(target, System.currentTimeMillis());
          pullIfReady();
          return;
        }
        deliver(EventKind.TEXT, message, null);
      } else {
        byte[] data = bytes.toByteArray();
        bytes = null;
        deliver(EventKind.BINARY, null, data);
      }
    }

    private void deliver(EventKind kind, String message, byte[] data) {
      delivering = true;
      connections
          .deliver(target, kind, message, data, 0, null, false)
          .whenComplete(
              (known, error) -> {
                if (error != null) {
                  log.warn("Message on WebSocket {} not handled: {}", id, error.toString());
                }
                delivered.invoke(error == null ? known : Boolean.TRUE);
              });
    }

    private void onDelivered(Boolean known) {
      delivering = false;
      if (!known && !closing) {
        // the object no longer holds this socket: it moved to another node
        objectClosed = true;
        startClosing(WsFrames.close(1012, "the object moved; reconnect"));
        return;
      }
      pullIfReady();
    }

    private void pullIfReady() {
      if (target != null && !delivering && !isClosed(in) && !hasBeenPulled(in)) {
        pull(in);
      }
    }
  }
}

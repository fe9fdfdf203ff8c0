package io.duro.gateway;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameHandler;
import org.apache.pekko.http.impl.engine.ws.Protocol;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.scaladsl.BidiFlow;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.util.ByteString;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * The one place that touches Pekko HTTP's WebSocket frame layer (an internal API of pekko-http
 * 1.3): the public message API can neither send a close code of the application's choosing nor
 * report the client's, which DESIGN §6 needs. Pekko's own masking and frame handling (control
 * frames, fragmentation, UTF-8 validation, the close handshake) are reused; only the message
 * layer above them is Duro's ({@link WebSocketConnection}).
 */
final class WsFrames {

  private static final Protocol.Opcode TEXT = opcode("Text");
  private static final Protocol.Opcode BINARY = opcode("Binary");
  private static final Protocol.Opcode PING = opcode("Ping");

  private static Protocol.Opcode opcode(String name) {
    try {
      return (Protocol.Opcode)
          Class.forName("org.apache.pekko.http.impl.engine.ws.Protocol$Opcode$" + name + "$")
              .getField("MODULE$")
              .get(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private WsFrames() {}

  /** The frame layer's inputs and outputs, as seen by the message layer. */
  static boolean isText(Object o) {
    return o instanceof FrameHandler.TextMessagePart;
  }

  static String text(Object o) {
    return ((FrameHandler.TextMessagePart) o).data();
  }

  static boolean isBinary(Object o) {
    return o instanceof FrameHandler.BinaryMessagePart;
  }

  static ByteString binary(Object o) {
    return ((FrameHandler.BinaryMessagePart) o).data();
  }

  static boolean isLast(Object o) {
    return o instanceof FrameHandler.TextMessagePart t
        ? t.last()
        : ((FrameHandler.BinaryMessagePart) o).last();
  }

  static boolean isPeerClosed(Object o) {
    return o instanceof FrameHandler.PeerClosed;
  }

  /** The close code the client sent, or 1005 (no status) if it sent none. */
  static int peerCode(Object o) {
    Option<Object> code = ((FrameHandler.PeerClosed) o).code();
    return code.isDefined() ? (Integer) code.get() : 1005;
  }

  static String peerReason(Object o) {
    return ((FrameHandler.PeerClosed) o).reason();
  }

  static boolean isProtocolClose(Object o) {
    return o instanceof FrameHandler.ActivelyCloseWithCode;
  }

  static int protocolCode(Object o) {
    Option<Object> code = ((FrameHandler.ActivelyCloseWithCode) o).code();
    return code.isDefined() ? (Integer) code.get() : 1002;
  }

  static String protocolReason(Object o) {
    return ((FrameHandler.ActivelyCloseWithCode) o).reason();
  }

  static boolean isDirectAnswer(Object o) {
    return o instanceof FrameHandler.DirectAnswer;
  }

  static Object textFrame(String text) {
    return FrameEvent$.MODULE$.fullFrame(
        TEXT,
        Option.empty(),
        ByteString.fromString(text, StandardCharsets.UTF_8),
        true,
        false,
        false,
        false);
  }

  static Object binaryFrame(byte[] data) {
    return FrameEvent$.MODULE$.fullFrame(
        BINARY,
        Option.empty(),
        ByteString.fromArray(data),
        true,
        false,
        false,
        false);
  }

  static Object ping() {
    return FrameEvent$.MODULE$.fullFrame(
        PING, Option.empty(), ByteString.emptyByteString(), true, false,
        false, false);
  }

  /** Tells the frame layer to close with this code (it runs the close handshake). */
  static Object close(int code, String reason) {
    return new FrameHandler.ActivelyCloseWithCode(Option.apply(code), reason);
  }

  /** Tells the frame layer the message layer is done (answers a client's close). */
  static Object handlerCompleted() {
    return FrameHandler.UserHandlerCompleted$.MODULE$;
  }

  /** Lets the frame layer check its close timeout. */
  static Object tick() {
    return org.apache.pekko.http.impl.engine.ws.WebSocket.Tick$.MODULE$;
  }

  /**
   * Pekko's frame layer (masking, frame handling and the close handshake) as one blueprint. It is
   * immutable, so one instance serves every socket: each socket's graph then only adds its own
   * message stage, which keeps the per-connection blueprint that Pekko HTTP retains small.
   *
   * @param closeTimeout how long to wait for the client's close frame
   * @param log the frame layer's log
   * @return the frame layer
   */
  @SuppressWarnings("rawtypes")
  static BidiFlow frameLayer(FiniteDuration closeTimeout, LoggingAdapter log) {
    BidiFlow masking = WebSocket$.MODULE$.masking(true, () -> new java.util.Random());
    BidiFlow handling = WebSocket$.MODULE$.frameHandling(true, closeTimeout, log);
    return masking.atop(handling);
  }

  /**
   * The 101 answer that runs {@code messages} on the upgraded connection.
   *
   * @param upgrade the request's upgrade attribute
   * @param frameLayer the shared {@link #frameLayer}
   * @param messages the message layer: frame-layer outputs in, frame-layer inputs out
   * @return the response
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static HttpResponse upgrade(
      WebSocketUpgrade upgrade, BidiFlow frameLayer, Graph<FlowShape<Object, Object>, ?> messages) {
    Flow<FrameEvent, FrameEvent, ?> frames = (Flow) frameLayer.join(messages);
    // pekko-http 1.3 negotiates no per-message compression on this path
    return ((UpgradeToWebSocketLowLevel) upgrade).handleFrames((Graph) frames, Option.empty());
  }
}

package io.duro.gateway;

import org.apache.pekko.http.impl.engine.server.UpgradeToOtherProtocolResponseHeader;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.scaladsl.Flow;
import org.apache.pekko.util.ByteString;
import scala.Option;

/**
 * A fork of Pekko HTTP's WebSocket path, the one place that touches its internal upgrade API
 * (pekko-http 1.3): Pekko's handshake is reused, then the socket's own stage ({@link
 * WebSocketConnection}) runs on the upgraded connection's raw bytes. It exists because Pekko's
 * frame stack keeps its stages and their blueprint alive per connection, most of an idle
 * socket's memory, and its message API cannot send a close code of the object's choosing.
 * {@code duro.gateway.websocket-fork = off} takes the stock path ({@link StockWebSocketUpgrade}).
 */
final class RawWebSocketUpgrade {

  /** The blueprint handed to Pekko's handshake, replaced by the socket's own stage. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final Graph NO_FRAMES = (Graph) Flow.apply();

  private RawWebSocketUpgrade() {}

  /**
   * The 101 answer that runs {@code connection} on the upgraded connection's bytes.
   *
   * @param upgrade the request's upgrade attribute
   * @param connection the socket's stage: bytes from the client in, bytes to the client out
   * @return the response
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static HttpResponse upgrade(
      WebSocketUpgrade upgrade, Graph<FlowShape<ByteString, ByteString>, ?> connection) {
    // pekko-http 1.3 negotiates no per-message compression on this path
    HttpResponse handshake =
        ((UpgradeToWebSocketLowLevel) upgrade).handleFrames(NO_FRAMES, Option.empty());
    Flow bytes = Flow.fromGraph((Graph) connection);
    return handshake
        .removeHeader("UpgradeToOtherProtocolResponseHeader")
        .addHeader(new UpgradeToOtherProtocolResponseHeader(bytes));
  }
}

package io.duro.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.model.ws.PeerClosedConnectionException;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The stock WebSocket path, through Pekko HTTP's public message API, taken when {@code
 * duro.gateway.websocket-fork = off}: Pekko runs the frame protocol, and the socket's own stage
 * ({@link WebSocketConnection}) runs unchanged between two adapters, one that writes each message
 * of the client (and its close) as the frames the stage reads, one that turns the frames the stage
 * writes back into messages. What the message API cannot carry is lost: the client sees close code
 * 1000 whatever code the object or the gateway chose; Pekko ends the client's messages alike after
 * a close with 1000, with 1001 or without a code and after a lost connection, so the object hears
 * all of them as a clean 1000; and the stage's keep-alive pings give way to Pekko's ({@code
 * pekko.http.server.websocket.periodic-keep-alive-max-idle}).
 */
final class StockWebSocketUpgrade {

  /** Stands for the stage's close frame: the end of the messages to the client. */
  private static final Object END = new Object();

  private StockWebSocketUpgrade() {}

  /**
   * The 101 answer that runs {@code connection} behind Pekko's message API.
   *
   * @param upgrade the request's upgrade attribute
   * @param connection the socket's stage: bytes from the client in, bytes to the client out
   * @return the response
   */
  static HttpResponse upgrade(
      WebSocketUpgrade upgrade, Graph<FlowShape<ByteString, ByteString>, ?> connection) {
    Flow<Message, Message, NotUsed> messages =
        Flow.<Message>create()
            .flatMapConcat(StockWebSocketUpgrade::frames)
            // Pekko ends the messages when the client closes: with 1000 (or no code) they
            // complete, with another code they fail with it
            .concat(Source.single(WsFrames.clientClose(1000, "")))
            .recover(
                new PFBuilder<Throwable, ByteString>()
                    .match(
                        PeerClosedConnectionException.class,
                        e -> WsFrames.clientClose(e.closeCode(), e.closeReason()))
                    .build())
            .via(connection)
            .mapConcat(StockWebSocketUpgrade::messages)
            .takeWhile(m -> m != END)
            .map(m -> (Message) m);
    return upgrade.handleMessagesWith(messages);
  }

  /** A client message as the frames the stage reads: one, or a fragment per part as it comes. */
  private static Source<ByteString, NotUsed> frames(Message message) {
    if (message.isText()) {
      TextMessage text = message.asTextMessage();
      return text.isStrict()
          ? Source.single(WsFrames.clientFrame(WsFrames.TEXT, true, utf8(text.getStrictText())))
          : fragments(WsFrames.TEXT, text.getStreamedText().map(StockWebSocketUpgrade::utf8));
    }
    BinaryMessage binary = message.asBinaryMessage();
    return binary.isStrict()
        ? Source.single(
            WsFrames.clientFrame(WsFrames.BINARY, true, binary.getStrictData().toArray()))
        : fragments(WsFrames.BINARY, binary.getStreamedData().map(ByteString::toArray));
  }

  private static Source<ByteString, NotUsed> fragments(int opcode, Source<byte[], ?> parts) {
    return Source.single(WsFrames.clientFrame(opcode, false, new byte[0]))
        .concat(parts.map(part -> WsFrames.clientFrame(WsFrames.CONTINUATION, false, part)))
        .concat(Source.single(WsFrames.clientFrame(WsFrames.CONTINUATION, true, new byte[0])));
  }

  /** The messages in a chunk of the stage's frames (whole, unmasked, never fragmented). */
  private static List<Object> messages(ByteString chunk) {
    List<Object> found = new ArrayList<>(1);
    ByteString rest = chunk;
    while (!rest.isEmpty()) {
      WsFrames.Header h = WsFrames.header(rest);
      int end = h.size() + (int) h.length();
      ByteString payload = rest.slice(h.size(), end);
      rest = rest.drop(end);
      switch (h.opcode()) {
        case WsFrames.TEXT -> found.add(TextMessage.create(payload.utf8String()));
        case WsFrames.BINARY -> found.add(BinaryMessage.create(payload));
        case WsFrames.CLOSE -> {
          found.add(END);
          return found;
        }
        default -> {} // the stage's keep-alive ping; Pekko answers the client's pings itself
      }
    }
    return found;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

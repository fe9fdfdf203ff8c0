package io.duro.gateway;

import com.typesafe.config.Config;
import io.duro.api.Response;
import io.duro.runtime.connections.Connections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Turns an object's answer to a request that carried a client connection into the HTTP answer:
 * the WebSocket upgrade or the event stream, when the object accepted the connection and handed it
 * over ({@link Response#webSocket}, {@link Response#eventStream}); otherwise the plain answer, and
 * the connection is released.
 */
final class ConnectionRoutes {

  /**
   * Limits of the connections the gateway holds ({@code duro.gateway.connections}).
   *
   * @param maxMessageBytes the largest client message; larger ones close the socket with 1009
   * @param outgoingBuffer messages queued for a slow client before its connection is closed
   * @param pingInterval a ping after this long without traffic on a WebSocket
   * @param keepAlive a comment after this long without events on an event stream
   * @param closeTimeout how long to wait for the client's close frame
   */
  record Limits(
      int maxMessageBytes,
      int outgoingBuffer,
      Duration pingInterval,
      Duration keepAlive,
      Duration closeTimeout) {

    static Limits from(Config config) {
      Config c = config.getConfig("duro.gateway.connections");
      Limits limits =
          new Limits(
              (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-message-bytes")),
              c.getInt("outgoing-buffer"),
              c.getDuration("ping-interval"),
              c.getDuration("event-stream-keep-alive"),
              c.getDuration("close-timeout"));
      if (limits.maxMessageBytes <= 0 || limits.outgoingBuffer <= 0) {
        throw new IllegalArgumentException(
            "duro.gateway.connections.max-message-bytes and outgoing-buffer must be positive");
      }
      return limits;
    }
  }

  private final Connections connections;
  private final Limits limits;
  private final WebSocketConnection.Limits socketLimits;
  private final boolean websocketFork;

  ConnectionRoutes(Connections connections, Limits limits, boolean websocketFork) {
    this.connections = connections;
    this.limits = limits;
    this.websocketFork = websocketFork;
    this.socketLimits =
        new WebSocketConnection.Limits(
            limits.maxMessageBytes(),
            limits.outgoingBuffer(),
            limits.pingInterval(),
            limits.closeTimeout());
  }

  HttpResponse answer(
      String id,
      WebSocketUpgrade upgrade,
      Response response,
      Throwable error,
      BiFunction<Response, Throwable, HttpResponse> plain) {
    boolean handsOver =
        error == null
            && id.equals(response.headers().first(Response.CONNECTION_HEADER).orElse(null));
    if (handsOver && upgrade != null && response.status() == 101) {
      WebSocketConnection socket = new WebSocketConnection(connections, id, socketLimits);
      return websocketFork
          ? RawWebSocketUpgrade.upgrade(upgrade, socket)
          : StockWebSocketUpgrade.upgrade(upgrade, socket);
    }
    if (handsOver && upgrade == null && response.status() == 200) {
      return eventStream(id, response);
    }
    // if accepted, the answer (e.g. rewritten by a Worker) did not hand it over: the object hears
    connections.ended(
        id,
        true,
        Connections.EventKind.CLOSE,
        1006,
        "the answer did not hand the connection over",
        false);
    if (error == null && response.status() == 101) {
      return ErrorBody.of(
          "internal",
          "The object answered 101 to a request that is not a WebSocket upgrade it accepted");
    }
    return plain.apply(response, error);
  }

  private HttpResponse eventStream(String id, Response response) {
    List<HttpHeader> headers = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : response.headers().asMap().entrySet()) {
      String name = e.getKey();
      if (!name.equalsIgnoreCase("Content-Type")
          && !name.equalsIgnoreCase("Content-Length")
          && !name.equalsIgnoreCase(Response.CONNECTION_HEADER)) {
        e.getValue().forEach(v -> headers.add(RawHeader.create(name, v)));
      }
    }
    Source<org.apache.pekko.util.ByteString, ?> body =
        Source.fromGraph(
            new EventStreamSource(connections, id, limits.outgoingBuffer(), limits.keepAlive()));
    return HttpResponse.create()
        .withStatus(200)
        .withEntity(
            HttpEntities.createChunked(
                ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), body))
        .addHeaders(headers);
  }
}

package io.duro.runtime.object;

import io.duro.api.DuroException;
import io.duro.api.EventStream;
import io.duro.api.ObjectResetException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.WebSocket;
import io.duro.runtime.connections.Connections;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.internal.ObjectReply;
import io.duro.runtime.internal.WireRequest;
import io.duro.runtime.stubs.Rpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Runs what callers send an object — HTTP requests, typed calls, events of accepted connections —
 * as handler invocations of its current incarnation, and turns each outcome into the caller's
 * reply, sent through the output gate.
 *
 * <p>A handler that throws, or whose stage fails, with anything but a {@link DuroException} resets
 * the object; a request that carried a client connection must hand it over in its answer (101 or
 * an event stream naming it) exactly when the object accepted it. Every answer names where the
 * object runs ({@code Duro-Node}, {@code Duro-Region}).
 */
final class Requests {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Requests.class);
  private static final Response SOCKET_DONE = Response.status(204);
  private static final Response SOCKET_UNKNOWN = Response.status(ObjectSockets.UNKNOWN_CONNECTION);

  private final String className;
  private final String simpleName;
  private final ObjectSockets sockets;
  private final String node;
  private final String region;

  /**
   * Creates the request runner of one object.
   *
   * @param objectClass the user's class
   * @param sockets the object's connections
   * @param node {@code host:port} of this node
   * @param region this node's region
   */
  Requests(Class<?> objectClass, ObjectSockets sockets, String node, String region) {
    this.className = objectClass.getName();
    this.simpleName = objectClass.getSimpleName();
    this.sockets = sockets;
    this.node = node;
    this.region = region;
  }

  /**
   * Runs the handler of a request (inside a turn of {@code inc}).
   *
   * @param inc the incarnation
   * @param d the request
   */
  void start(Incarnation inc, ObjectCommand.Deliver d) {
    Consumer<ObjectReply> reply = d.replyTo()::tell;
    long token = inc.begin(reply, d.request().connection());
    CompletionStage<Response> stage;
    try {
      Request request = d.request().toRequest();
      stage =
          Rpc.isCall(request)
              ? Rpc.dispatch(inc.instance(), request)
              : inc.instance().fetch(request);
      if (stage == null) {
        throw new IllegalStateException(
            className + ".fetch returned null instead of a CompletionStage");
      }
    } catch (Throwable t) {
      inc.rollbackTurn(); // the turn failed synchronously: none of its writes happen
      finish(inc, token, null, t);
      return;
    }
    stage.whenComplete(
        (response, error) -> inc.turns().onTurn(() -> finish(inc, token, response, error)).run());
  }

  /**
   * Runs the handler of what a client sent on a connection (inside a turn of {@code inc}).
   *
   * @param inc the incarnation
   * @param e the event
   */
  void start(Incarnation inc, ObjectCommand.SocketEvent e) {
    long token = inc.begin(e.replyTo()::tell, null);
    Connections.EventKind kind = Connections.EventKind.values()[e.kind()];
    Object handle =
        kind == Connections.EventKind.TEXT || kind == Connections.EventKind.BINARY
            ? sockets.known(e.connectionId())
            : sockets.removed(e.connectionId());
    if (handle == null) {
      finish(inc, token, SOCKET_UNKNOWN, null);
      return;
    }
    CompletionStage<Void> stage;
    try {
      stage = socketHandler(inc, handle, kind, e);
      if (stage == null) {
        throw new IllegalStateException(
            className + "'s connection handler returned null instead of a CompletionStage");
      }
    } catch (Throwable t) {
      inc.rollbackTurn();
      finish(inc, token, null, t);
      return;
    }
    stage.whenComplete(
        (ignored, error) ->
            inc.turns()
                .onTurn(() -> finish(inc, token, error == null ? SOCKET_DONE : null, error))
                .run());
  }

  private static CompletionStage<Void> socketHandler(
      Incarnation inc, Object handle, Connections.EventKind kind, ObjectCommand.SocketEvent e) {
    if (handle instanceof EventStream stream) {
      return inc.instance().eventStreamClose(stream);
    }
    WebSocket ws = (WebSocket) handle;
    return switch (kind) {
      case TEXT -> inc.instance().webSocketMessage(ws, e.text());
      case BINARY -> inc.instance().webSocketMessage(ws, e.data());
      case CLOSE -> inc.instance().webSocketClose(ws, e.code(), e.reason(), e.wasClean());
      case ERROR -> inc.instance().webSocketError(ws, new java.io.IOException(e.reason()));
    };
  }

  private void finish(Incarnation inc, long token, Response response, Throwable error) {
    Incarnation.Running r = inc.end(token);
    if (r == null) {
      return; // already failed by a reset or a timeout
    }
    if (error == null && response == null) {
      error = new IllegalStateException(
          className + ".fetch completed with null instead of a Response");
    }
    if (r.connection() != null) {
      error = checkHandOver(r.connection(), response, error);
    }
    ObjectReply reply;
    if (error == null) {
      reply = new ObjectReply.Ok(withNode(WireRequest.Resp.of(response)));
    } else {
      Throwable cause = Failures.unwrap(error);
      if (cause instanceof DuroException duro) {
        reply = Failures.reply(duro);
      } else {
        LOG.warn("Object {} failed a request; resetting it", inc.shell().id(), cause);
        ObjectResetException reset =
            Failures.objectError(simpleName, cause, "; the object was reset");
        inc.turns().requestReset(reset, false);
        reply = Failures.reply(reset);
      }
    }
    Consumer<ObjectReply> to = r.reply();
    inc.turns().emit(() -> to.accept(reply), e -> to.accept(Failures.reply(e)));
  }

  /**
   * A request that carried a client connection: if the object accepted it, the answer must hand
   * it over (101 or an event stream naming it); otherwise the acceptance is undone.
   */
  private Throwable checkHandOver(String connection, Response response, Throwable error) {
    boolean accepted = sockets.holds(connection);
    boolean handsOver =
        error == null
            && connection.equals(response.headers().first(Response.CONNECTION_HEADER).orElse(null));
    if (handsOver && !accepted) {
      return new IllegalStateException(
          className
              + " answered with connection "
              + connection
              + " that it did not accept; call state.acceptWebSocket or acceptEventStream first");
    }
    if (accepted && !handsOver) {
      sockets.forget(connection);
    }
    if (error == null && response.status() == 101 && !handsOver) {
      return new IllegalStateException(
          className + " answered 101 without an accepted WebSocket; use Response.webSocket(ws)");
    }
    return error;
  }

  /** Adds where the object runs: {@code Duro-Node: host:port} and {@code Duro-Region}. */
  private WireRequest.Resp withNode(WireRequest.Resp resp) {
    List<String> headers = new ArrayList<>(resp.headers().size() + 4);
    headers.addAll(resp.headers());
    headers.add("Duro-Node");
    headers.add(node);
    headers.add("Duro-Region");
    headers.add(region);
    return new WireRequest.Resp(resp.status(), headers, resp.body());
  }
}

package io.duro.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Durable Object class: user code with a global ID, its own storage, and one live instance in
 * the whole cluster.
 *
 * <p>An implementation has a public constructor taking {@code (DurableObjectState, Env)}; Duro
 * calls it once per activation (after a passivation, a reset or a move to another node it is
 * called again, and the instance must rebuild what it needs from storage). Handlers of one object
 * never run on two threads at once: each handler invocation, and each continuation of a stage that
 * Duro handed to the object, is a <em>turn</em>.
 *
 * <pre>{@code
 * public final class Greeter implements DurableObject {
 *   private final DurableObjectState state;
 *
 *   public Greeter(DurableObjectState state, Env env) {
 *     this.state = state;
 *   }
 *
 *   public CompletionStage<Response> fetch(Request request) {
 *     state.storage().put("last", request.text());
 *     return Response.text("hello " + request.text()).completed();
 *   }
 * }
 * }</pre>
 */
public interface DurableObject {

  /**
   * Handles an HTTP request routed to this object. The response leaves only after the writes of
   * this turn (and of every earlier turn) are durable.
   *
   * @param request the request; its path is the part after the object's address
   * @return the response, possibly completing later
   */
  CompletionStage<Response> fetch(Request request);

  /**
   * Runs when the object's alarm fires. The default does nothing.
   *
   * @param info the scheduled time and retry count
   * @return completes when the alarm's work is done; failing it schedules a retry
   */
  default CompletionStage<Void> alarm(AlarmInfo info) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Receives a message from an accepted WebSocket. The default does nothing.
   *
   * @param ws the socket the message came from
   * @param message a {@link String} for a text frame, a {@code byte[]} for a binary frame
   * @return completes when the message is handled
   */
  default CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Runs when an accepted WebSocket closes. The default does nothing.
   *
   * @param ws the socket
   * @param code the close code
   * @param reason the close reason
   * @param wasClean whether the close handshake completed
   * @return completes when the close is handled
   */
  default CompletionStage<Void> webSocketClose(
      WebSocket ws, int code, String reason, boolean wasClean) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Runs when an accepted WebSocket fails. The default does nothing.
   *
   * @param ws the socket
   * @param error what went wrong
   * @return completes when the error is handled
   */
  default CompletionStage<Void> webSocketError(WebSocket ws, Throwable error) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Called when the client of an event stream this object accepted went away.
   *
   * @param stream the stream
   * @return completes when handled
   */
  default CompletionStage<Void> eventStreamClose(EventStream stream) {
    return CompletableFuture.completedFuture(null);
  }
}

package io.duro.api;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * What an object is given about itself: its ID, its storage and control over its concurrency.
 *
 * <pre>{@code
 * public Room(DurableObjectState state, Env env) {
 *   this.state = state;
 *   // no event reaches the object until the members are loaded
 *   state.blockConcurrencyWhile(() -> {
 *     members = state.storage().list(ListOptions.prefix("member:"), String.class);
 *     return CompletableFuture.completedFuture(null);
 *   });
 * }
 * }</pre>
 */
public interface DurableObjectState {

  /**
   * This object's ID.
   *
   * @return the ID
   */
  DurableObjectId id();

  /**
   * This object's storage.
   *
   * @return the storage
   */
  Storage storage();

  /**
   * The runtime's clock: the system clock on a node; a clock the test moves in the testkit
   * ({@code duro.advanceTime(Duration.ofMinutes(5))}). Read "now" from it wherever the object
   * compares times with its alarm, so that tests can fire alarms deterministically.
   *
   * <pre>{@code
   * long now = state.clock().millis();
   * state.storage().setAlarm(state.clock().instant().plusSeconds(30));
   * }</pre>
   *
   * @return the clock
   */
  default java.time.Clock clock() {
    return java.time.Clock.systemUTC();
  }

  /**
   * Runs {@code callback} and delivers no other event to the object until the stage it returns
   * completes (results of calls the callback is waiting for still arrive).
   *
   * @param callback the work
   * @param <T> its result type
   * @return completes, on the object's turn, with the callback's result
   */
  <T> CompletionStage<T> blockConcurrencyWhile(Callable<CompletionStage<T>> callback);

  /**
   * Keeps the object from passivating until {@code stage} completes. Failures are logged.
   *
   * @param stage background work
   */
  void waitUntil(CompletionStage<?> stage);

  /**
   * Resets the object: pending requests fail with {@link ObjectResetException} (code {@code
   * "aborted"}), writes not yet durable are discarded, and the next event recreates the object
   * from durable storage.
   *
   * @param reason why, for the log and the failed callers
   */
  void abort(String reason);

  /**
   * Accepts the WebSocket that {@code request} asks to open ({@link Request#isWebSocketUpgrade()})
   * as a hibernatable socket of this object; answer the request with {@link
   * Response#webSocket(WebSocket)}. Messages then arrive at {@link DurableObject#webSocketMessage}.
   *
   * @param request the upgrade request
   * @param tags up to 10 tags of up to 256 characters, to find the socket with {@link
   *     #getWebSockets(String)}
   * @return the server side of the socket
   * @throws InvalidArgumentException if the request is not a WebSocket upgrade, or the tags break
   *     the limits
   * @throws LimitExceededException if the object already holds the most sockets allowed
   */
  WebSocket acceptWebSocket(Request request, String... tags);

  /**
   * The open WebSockets of this object, also after it was recreated from hibernation.
   *
   * @return the sockets, in the order they were accepted
   */
  java.util.List<WebSocket> getWebSockets();

  /**
   * The open WebSockets of this object that carry {@code tag}.
   *
   * @param tag the tag
   * @return the sockets
   */
  java.util.List<WebSocket> getWebSockets(String tag);

  /**
   * Lets the gateway answer a text message equal to {@code request} with {@code response} itself,
   * without waking the object (e.g. {@code "ping"} and {@code "pong"}). Applies to every socket of
   * this object, open now or later.
   *
   * @param request the message to answer, or null to stop auto-responding
   * @param response the answer
   */
  void setWebSocketAutoResponse(String request, String response);

  /**
   * When the gateway last answered an auto-response request on {@code ws}.
   *
   * @param ws a socket of this object
   * @return the time, or empty if it never did
   */
  java.util.Optional<java.time.Instant> getWebSocketAutoResponseTimestamp(WebSocket ws);

  /**
   * Accepts the event stream that {@code request} asks for ({@link Request#acceptsEventStream()});
   * answer the request with {@link Response#eventStream(EventStream)} and send events with {@link
   * EventStream#send} from any handler, now or later.
   *
   * @param request a request with {@code Accept: text/event-stream}
   * @param tags up to 10 tags of up to 256 characters
   * @return the stream
   * @throws InvalidArgumentException if the request does not ask for an event stream, or the tags
   *     break the limits
   */
  EventStream acceptEventStream(Request request, String... tags);

  /**
   * The open event streams of this object that carry {@code tag}, or all of them for null.
   *
   * @param tag the tag, or null
   * @return the streams
   */
  java.util.List<EventStream> getEventStreams(String tag);
}

package io.duro.api;

import java.util.List;

/**
 * A server-sent event stream ({@code text/event-stream}) accepted by a Durable Object with {@link
 * DurableObjectState#acceptEventStream}. Like a {@link WebSocket}, the stream is held by the
 * gateway node the client reached and survives the object's hibernation; the gateway sends
 * keep-alive comments while it is idle. When the client goes away the object's {@link
 * DurableObject#eventStreamClose} is called.
 *
 * <pre>{@code
 * if (request.acceptsEventStream()) {
 *   EventStream stream = state.acceptEventStream(request, "user:" + user);
 *   stream.send("hello", "{\"unread\":3}");
 *   return CompletableFuture.completedFuture(Response.eventStream(stream));
 * }
 * }</pre>
 */
public interface EventStream {

  /**
   * The stream's ID, unique in the cluster.
   *
   * @return the ID
   */
  String id();

  /**
   * The tags given when the stream was accepted.
   *
   * @return the tags
   */
  List<String> tags();

  /**
   * Sends an unnamed event ({@code data:} lines only). Only inside the object's turns.
   *
   * @param data the event data; line breaks become several {@code data:} lines
   * @throws IllegalStateException if the stream is closed
   */
  default void send(String data) {
    send(null, data);
  }

  /**
   * Sends a named event. Only inside the object's turns.
   *
   * @param event the event name ({@code event:} line), or null; no line breaks
   * @param data the event data
   * @throws IllegalStateException if the stream is closed
   * @throws InvalidArgumentException if the event name holds a line break
   */
  default void send(String event, String data) {
    send(null, event, data);
  }

  /**
   * Sends an event with an ID ({@code id:} line): a browser's {@code EventSource} that reconnects
   * sends the last ID it saw as the {@code Last-Event-ID} header.
   *
   * @param id the event ID, or null; no line breaks
   * @param event the event name, or null; no line breaks
   * @param data the event data
   * @throws IllegalStateException if the stream is closed
   * @throws InvalidArgumentException if the ID or name holds a line break
   */
  void send(String id, String event, String data);

  /** Ends the stream; later sends fail. */
  void close();
}

package io.duro.api;

import java.util.List;

/**
 * A WebSocket accepted by a Durable Object with {@link DurableObjectState#acceptWebSocket}.
 *
 * <p>The connection lives on the gateway node the client reached, not in the object: the object
 * may be dropped from memory (hibernate) while its sockets stay open, and is recreated for the next
 * message. {@link DurableObjectState#getWebSockets()} finds the sockets again after that, with
 * their tags and attachments. Sends obey the output gate: they leave once the sending turn's
 * writes are durable. A slow client never blocks the object; a socket whose outgoing buffer
 * overflows is closed with code 1008.
 *
 * <pre>{@code
 * public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
 *   for (WebSocket other : state.getWebSockets("room")) {
 *     other.send("echo: " + message);
 *   }
 *   return CompletableFuture.completedFuture(null);
 * }
 * }</pre>
 */
public interface WebSocket {

  /**
   * The socket's ID, unique in the cluster, stable across hibernation.
   *
   * @return the ID
   */
  String id();

  /**
   * The tags given when the socket was accepted.
   *
   * @return the tags, possibly empty
   */
  List<String> tags();

  /**
   * Sends a text frame. Only inside the object's turns.
   *
   * @param text the text
   * @throws IllegalStateException if the socket is closed
   */
  void send(String text);

  /**
   * Sends a binary frame. Only inside the object's turns.
   *
   * @param data the bytes
   * @throws IllegalStateException if the socket is closed
   */
  void send(byte[] data);

  /**
   * Closes the socket with a close frame; later sends fail. No {@code webSocketClose} call follows
   * for a close the object started.
   *
   * @param code the close code: 1000, or 3000–4999 for an application's own codes
   * @param reason a short reason, at most 123 bytes of UTF-8
   * @throws InvalidArgumentException if the code or the reason is not allowed
   */
  void close(int code, String reason);

  /** Closes the socket normally (code 1000). */
  default void close() {
    close(1000, "");
  }

  /**
   * Keeps a small value with the socket that survives hibernation (Jackson-serialized, at most 16
   * KiB). Replaces the previous one; {@code null} removes it.
   *
   * @param value the value
   * @throws LimitExceededException if it serializes to more than 16 KiB
   */
  void serializeAttachment(Object value);

  /**
   * The value kept with {@link #serializeAttachment}.
   *
   * @param type the type to read it as
   * @param <T> the type
   * @return the value, or {@code null} when there is none
   */
  <T> T deserializeAttachment(Class<T> type);
}

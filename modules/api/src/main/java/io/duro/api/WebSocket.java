package io.duro.api;

/**
 * A WebSocket accepted by a Durable Object. The connection lives on the gateway node the client
 * reached; sends obey the output gate (they leave once the sending turn's writes are durable).
 *
 * <pre>{@code
 * public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
 *   ws.send("echo: " + message);
 *   return CompletableFuture.completedFuture(null);
 * }
 * }</pre>
 */
public interface WebSocket {

  /**
   * Sends a text frame.
   *
   * @param text the text
   */
  void send(String text);

  /**
   * Sends a binary frame.
   *
   * @param data the bytes
   */
  void send(byte[] data);

  /**
   * Closes the socket.
   *
   * @param code the close code (1000 for a normal close)
   * @param reason a short reason
   */
  void close(int code, String reason);
}

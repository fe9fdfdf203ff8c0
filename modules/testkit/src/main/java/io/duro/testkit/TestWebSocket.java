package io.duro.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for tests: connects to a node's gateway, collects what the object sends, and
 * records how the connection closed.
 *
 * <pre>{@code
 * try (TestWebSocket ws = TestWebSocket.connect(node.uri("/chat/lobby/websocket?name=ada"))) {
 *   ws.send("hello");
 *   assertTrue(ws.next().contains("hello"));
 * }
 * }</pre>
 */
public final class TestWebSocket implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<int[]> closed = new CompletableFuture<>();
  private volatile String closeReason;
  private WebSocket socket;

  private TestWebSocket() {}

  /**
   * Opens a WebSocket (the URI's scheme may be {@code http}: it is turned into {@code ws}).
   *
   * @param uri where to connect
   * @return the connected socket
   * @throws IllegalStateException if the upgrade is refused
   */
  public static TestWebSocket connect(URI uri) {
    TestWebSocket t = new TestWebSocket();
    URI ws = URI.create(uri.toString().replaceFirst("^http", "ws"));
    try {
      t.socket =
          CLIENT
              .newWebSocketBuilder()
              .connectTimeout(WAIT)
              .buildAsync(ws, t.new Listener())
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("WebSocket to " + uri + " refused: " + e, e);
    }
    return t;
  }

  /**
   * Sends a text message.
   *
   * @param text the text
   */
  public void send(String text) {
    socket.sendText(text, true).join();
  }

  /**
   * Sends a binary message.
   *
   * @param data the bytes
   */
  public void send(byte[] data) {
    socket.sendBinary(ByteBuffer.wrap(data), true).join();
  }

  /**
   * The next message the object sent: a {@code String} or a {@code byte[]}.
   *
   * @return the message
   * @throws IllegalStateException if none arrives within 10 s
   */
  public Object nextMessage() {
    try {
      Object m = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (m == null) {
        throw new IllegalStateException("No message within " + WAIT.toSeconds() + " s");
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The next text message.
   *
   * @return the text
   */
  public String next() {
    Object m = nextMessage();
    if (!(m instanceof String s)) {
      throw new IllegalStateException("Expected a text message, got " + m);
    }
    return s;
  }

  /**
   * The next text message that contains {@code part}, skipping others.
   *
   * @param part what to look for
   * @return the message
   */
  public String nextContaining(String part) {
    while (true) {
      String s = next();
      if (s.contains(part)) {
        return s;
      }
    }
  }

  /**
   * Messages received and not yet taken.
   *
   * @return how many
   */
  public int pending() {
    return received.size();
  }

  /**
   * Waits until the server closes the connection.
   *
   * @return the close code the server sent
   */
  public int awaitClose() {
    try {
      return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)[0];
    } catch (Exception e) {
      throw new IllegalStateException("The server did not close the socket: " + e, e);
    }
  }

  /**
   * Waits at most {@code wait} until the server closes the connection.
   *
   * @param wait how long to wait
   * @return the close code the server sent
   * @throws IllegalStateException if it did not close in time
   */
  public int awaitCloseWithin(Duration wait) {
    try {
      return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS)[0];
    } catch (Exception e) {
      throw new IllegalStateException("The server did not close the socket: " + e, e);
    }
  }

  /**
   * The reason of the server's close frame, once closed.
   *
   * @return the reason
   */
  public String closeReason() {
    return closeReason;
  }

  /**
   * Closes with a close frame.
   *
   * @param code the close code
   * @param reason the reason
   */
  public void close(int code, String reason) {
    socket.sendClose(code, reason).join();
  }

  /** Drops the TCP connection without a close frame. */
  public void abort() {
    socket.abort();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(1000, "").exceptionally(e -> null);
    }
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private StringBuilder text = new StringBuilder();
    private java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        received.add(text.toString());
        text = new StringBuilder();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      bytes.writeBytes(chunk);
      if (last) {
        received.add(bytes.toByteArray());
        bytes = new java.io.ByteArrayOutputStream();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closeReason = reason;
      closed.complete(new int[] {statusCode});
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(new int[] {1006});
    }
  }
}

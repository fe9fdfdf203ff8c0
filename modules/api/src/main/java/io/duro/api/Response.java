package io.duro.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An immutable HTTP response.
 *
 * <pre>{@code
 * return Response.json(Map.of("value", 42)).completed();
 * return Response.text(404, "no such item").completed();
 * return Response.status(204).withHeader("X-Version", "3").completed();
 * }</pre>
 */
public final class Response {

  private static final byte[] NO_BODY = new byte[0];

  private final int status;
  private final Headers headers;
  private final byte[] body;

  /**
   * Creates a response.
   *
   * @param status HTTP status, 100..599
   * @param headers the headers
   * @param body the body bytes (not copied)
   */
  public Response(int status, Headers headers, byte[] body) {
    if (status < 100 || status > 599) {
      throw new InvalidArgumentException("An HTTP status is 100..599; got " + status);
    }
    this.status = status;
    this.headers = Objects.requireNonNull(headers, "headers");
    this.body = body == null ? NO_BODY : body;
  }

  /**
   * An empty response.
   *
   * @param status the HTTP status
   * @return the response
   */
  public static Response status(int status) {
    return new Response(status, Headers.EMPTY, NO_BODY);
  }

  /**
   * A 200 {@code text/plain} response.
   *
   * @param text the body
   * @return the response
   */
  public static Response text(String text) {
    return text(200, text);
  }

  /**
   * A {@code text/plain} response.
   *
   * @param status the HTTP status
   * @param text the body
   * @return the response
   */
  public static Response text(int status, String text) {
    return new Response(
        status,
        Headers.of("Content-Type", "text/plain; charset=utf-8"),
        text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A 200 JSON response.
   *
   * @param value serialized with the runtime's JSON codec
   * @return the response
   */
  public static Response json(Object value) {
    return json(200, value);
  }

  /**
   * A JSON response.
   *
   * @param status the HTTP status
   * @param value serialized with the runtime's JSON codec
   * @return the response
   */
  public static Response json(int status, Object value) {
    return new Response(
        status, Headers.of("Content-Type", "application/json"), Json.codec().write(value));
  }

  /**
   * A binary response.
   *
   * @param status the HTTP status
   * @param body the bytes
   * @param contentType e.g. {@code application/octet-stream}
   * @return the response
   */
  public static Response bytes(int status, byte[] body, String contentType) {
    return new Response(status, Headers.of("Content-Type", contentType), body);
  }

  /** The header that tells the gateway which accepted connection a response hands over. */
  public static final String CONNECTION_HEADER = "Duro-Connection";

  /**
   * The 101 answer to a WebSocket upgrade that the object accepted.
   *
   * @param ws the socket from {@link DurableObjectState#acceptWebSocket}
   * @return the response
   */
  public static Response webSocket(WebSocket ws) {
    return new Response(101, Headers.EMPTY.with(CONNECTION_HEADER, ws.id()), NO_BODY);
  }

  /**
   * The answer to a request for server-sent events that the object accepted: the gateway keeps
   * the stream open and sends the events the object pushes.
   *
   * @param stream the stream from {@link DurableObjectState#acceptEventStream}
   * @return the response
   */
  public static Response eventStream(EventStream stream) {
    return new Response(
        200,
        Headers.EMPTY
            .with("Content-Type", "text/event-stream")
            .with("Cache-Control", "no-cache")
            .with(CONNECTION_HEADER, stream.id()),
        NO_BODY);
  }

  /**
   * The HTTP status.
   *
   * @return e.g. 200
   */
  public int status() {
    return status;
  }

  /**
   * The headers.
   *
   * @return the headers
   */
  public Headers headers() {
    return headers;
  }

  /**
   * The body bytes (shared: do not change them).
   *
   * @return the body
   */
  public byte[] body() {
    return body;
  }

  /**
   * The body as UTF-8 text.
   *
   * @return the text
   */
  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The body parsed as JSON.
   *
   * @param type the target class
   * @param <T> the target type
   * @return the value
   */
  public <T> T json(Class<T> type) {
    return Json.codec().read(body, type);
  }

  /**
   * A copy with one more header value.
   *
   * @param name header name
   * @param value header value
   * @return the new response
   */
  public Response withHeader(String name, String value) {
    return new Response(status, headers.with(name, value), body);
  }

  /**
   * This response as an already completed stage, for synchronous handlers.
   *
   * @return a completed stage
   */
  public CompletionStage<Response> completed() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public String toString() {
    return status + " (" + body.length + " bytes)";
  }
}

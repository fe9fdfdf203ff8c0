package io.duro.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable HTTP request as an object sees it: method, URL (path and query), headers and body.
 *
 * <pre>{@code
 * Request request = Request.post("/messages?room=lobby", "hello")
 *     .withHeader("Content-Type", "text/plain");
 * request.path();                 // "/messages"
 * request.queryParam("room");     // Optional[lobby]
 * request.text();                 // "hello"
 * }</pre>
 */
public final class Request {

  private static final byte[] NO_BODY = new byte[0];

  private final String method;
  private final String url;
  private final Headers headers;
  private final byte[] body;
  private final String connectionId;

  /**
   * Creates a request.
   *
   * @param method the HTTP method, e.g. {@code "GET"} (upper-cased)
   * @param url the path, optionally followed by {@code ?query}; must start with {@code /}
   * @param headers the headers
   * @param body the body bytes (not copied: do not change them afterwards)
   */
  public Request(String method, String url, Headers headers, byte[] body) {
    this(method, url, headers, body, null);
  }

  /**
   * Creates a request that carries the client connection an object may accept as a WebSocket or
   * an event stream. Only the gateway makes these: it names the connection it holds.
   *
   * @param method the HTTP method
   * @param url the path and query
   * @param headers the headers
   * @param body the body bytes
   * @param connectionId the gateway's connection ID, or null
   */
  public Request(String method, String url, Headers headers, byte[] body, String connectionId) {
    if (method == null || method.isBlank()) {
      throw new InvalidArgumentException("A request method cannot be null or blank");
    }
    if (url == null || !url.startsWith("/")) {
      throw new InvalidArgumentException("A request URL must start with '/'; got " + url);
    }
    this.method = method.toUpperCase(Locale.ROOT);
    this.url = url;
    this.headers = Objects.requireNonNull(headers, "headers");
    this.body = body == null ? NO_BODY : body;
    this.connectionId = connectionId;
  }

  /**
   * A GET request.
   *
   * @param url path and query
   * @return the request
   */
  public static Request get(String url) {
    return new Request("GET", url, Headers.EMPTY, NO_BODY);
  }

  /**
   * A POST request with a UTF-8 text body.
   *
   * @param url path and query
   * @param text the body
   * @return the request
   */
  public static Request post(String url, String text) {
    return new Request("POST", url, Headers.EMPTY, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A POST request with a binary body.
   *
   * @param url path and query
   * @param body the body
   * @return the request
   */
  public static Request post(String url, byte[] body) {
    return new Request("POST", url, Headers.EMPTY, body);
  }

  /**
   * A request of any method with a JSON body.
   *
   * @param method the method
   * @param url path and query
   * @param value serialized to JSON
   * @return the request, with {@code Content-Type: application/json}
   */
  public static Request json(String method, String url, Object value) {
    return new Request(
        method, url, Headers.of("Content-Type", "application/json"), Json.codec().write(value));
  }

  /**
   * The method, upper-case.
   *
   * @return e.g. {@code "POST"}
   */
  public String method() {
    return method;
  }

  /**
   * The path and query as given.
   *
   * @return e.g. {@code "/items?limit=10"}
   */
  public String url() {
    return url;
  }

  /**
   * The path, without the query.
   *
   * @return e.g. {@code "/items"}
   */
  public String path() {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  /**
   * The raw query string.
   *
   * @return the part after {@code ?}, or empty
   */
  public Optional<String> query() {
    int q = url.indexOf('?');
    return q < 0 ? Optional.empty() : Optional.of(url.substring(q + 1));
  }

  /**
   * The first value of a query parameter, URL-decoded.
   *
   * @param name the parameter name
   * @return its value, or empty
   */
  public Optional<String> queryParam(String name) {
    List<String> all = queryParams(name);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /**
   * Every value of a query parameter, URL-decoded.
   *
   * @param name the parameter name
   * @return the values, possibly empty
   */
  public List<String> queryParams(String name) {
    List<String> found = new ArrayList<>();
    query()
        .ifPresent(
            q -> {
              for (String pair : q.split("&")) {
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                if (key.equals(name)) {
                  found.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
              }
            });
    return found;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("Malformed percent-encoding in query: '" + s + "'", e);
    }
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
   * The first value of a header.
   *
   * @param name case-insensitive name
   * @return the value, or empty
   */
  public Optional<String> header(String name) {
    return headers.first(name);
  }

  /**
   * The body bytes (shared: do not change them).
   *
   * @return the body, empty when there is none
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
   * @throws InvalidArgumentException if the body is not JSON of that shape
   */
  public <T> T json(Class<T> type) {
    return Json.codec().read(body, type);
  }

  /**
   * A copy with another URL (path and query).
   *
   * @param newUrl the URL
   * @return the new request
   */
  public Request withUrl(String newUrl) {
    return new Request(method, newUrl, headers, body, connectionId);
  }

  /**
   * A copy with one more header value.
   *
   * @param name header name
   * @param value header value
   * @return the new request
   */
  public Request withHeader(String name, String value) {
    return new Request(method, url, headers.with(name, value), body, connectionId);
  }

  /**
   * The client connection the gateway holds for this request, when the request asks for a
   * WebSocket ({@link #isWebSocketUpgrade()}) or an event stream ({@link #acceptsEventStream()}).
   * A Worker that forwards the request (or a copy made with {@code with...}) keeps it.
   *
   * @return the connection ID, or empty
   */
  public Optional<String> connectionId() {
    return Optional.ofNullable(connectionId);
  }

  /**
   * Whether this request asks to open a WebSocket that an object can accept with {@link
   * DurableObjectState#acceptWebSocket}.
   *
   * @return true for a gateway request with {@code Upgrade: websocket}
   */
  public boolean isWebSocketUpgrade() {
    return connectionId != null
        && header("Upgrade").map(v -> v.equalsIgnoreCase("websocket")).orElse(false);
  }

  /**
   * Whether this request asks for server-sent events that an object can accept with {@link
   * DurableObjectState#acceptEventStream}.
   *
   * @return true for a gateway request whose {@code Accept} header names {@code
   *     text/event-stream}
   */
  public boolean acceptsEventStream() {
    return connectionId != null
        && !isWebSocketUpgrade()
        && header("Accept")
            .map(v -> v.toLowerCase(Locale.ROOT).contains("text/event-stream"))
            .orElse(false);
  }

  @Override
  public String toString() {
    return method + " " + url + " (" + body.length + " bytes)";
  }
}

package io.duro.examples;

import io.duro.api.InvalidArgumentException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.WebSocket;
import java.util.Map;

/**
 * The JSON messages the real-time examples ({@code doc}, {@code cursors}, {@code game}) exchange
 * over their sockets: a client's message is a JSON object with a {@code "type"}; what is wrong with
 * it is an {@link InvalidArgumentException} whose message goes back to the sender as {@code
 * {"type":"error","message":...}}.
 */
final class SocketMessages {

  private SocketMessages() {}

  /** The largest message the examples read; the gateway's own limit is 1 MiB. */
  static final int MAX_CHARS = 256 * 1024;

  /**
   * A client's message as a JSON object.
   *
   * @throws InvalidArgumentException if it is binary, too long, not JSON or not an object
   */
  static Map<String, Object> parse(Object message, String example) {
    if (!(message instanceof String text)) {
      throw new InvalidArgumentException("Send text messages (JSON objects), not binary ones");
    }
    if (text.length() > MAX_CHARS) {
      throw new InvalidArgumentException(
          "A message is at most " + MAX_CHARS + " characters; one of " + text.length() + " came");
    }
    Object value;
    try {
      value = Request.post("/", text).json(Object.class);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException("Send JSON such as " + example + "; got " + cut(text));
    }
    if (!(value instanceof Map<?, ?> map) || !(map.get("type") instanceof String)) {
      throw new InvalidArgumentException(
          "Send a JSON object with a \"type\", such as " + example + "; got " + cut(text));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) map;
    return fields;
  }

  /**
   * A whole number field.
   *
   * @throws InvalidArgumentException naming the field, the range and what came
   */
  static long integer(Map<String, Object> message, String field, long min, long max) {
    Object v = message.get(field);
    if ((v instanceof Integer || v instanceof Long)
        && ((Number) v).longValue() >= min
        && ((Number) v).longValue() <= max) {
      return ((Number) v).longValue();
    }
    throw new InvalidArgumentException(
        "\"" + field + "\" must be an integer from " + min + " to " + max + "; got " + cut(v));
  }

  /**
   * A number field.
   *
   * @throws InvalidArgumentException naming the field, the range and what came
   */
  static double number(Map<String, Object> message, String field, double min, double max) {
    Object v = message.get(field);
    if (v instanceof Number n && n.doubleValue() >= min && n.doubleValue() <= max) {
      return n.doubleValue();
    }
    throw new InvalidArgumentException(
        "\"" + field + "\" must be a number from " + min + " to " + max + "; got " + cut(v));
  }

  /**
   * A name from a query parameter, or null if it is missing, blank, too long or has control
   * characters.
   */
  static String name(Request request, String param, int max) {
    String name = request.queryParam(param).map(String::strip).orElse("");
    if (name.isEmpty() || name.length() > max || name.chars().anyMatch(Character::isISOControl)) {
      return null;
    }
    return name;
  }

  /** Tells the sender what was wrong with its message. */
  static void error(WebSocket ws, String message) {
    ws.send(json(HttpErrors.fields("type", "error", "message", message)));
  }

  /** A value as JSON text, with the SDK's codec. */
  static String json(Object value) {
    return Response.json(value).text();
  }

  private static String cut(Object value) {
    String s = value instanceof String str ? "\"" + str + "\"" : String.valueOf(value);
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}

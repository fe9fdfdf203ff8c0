package io.duro.examples;

import io.duro.api.Request;
import io.duro.api.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON error responses the examples send, in the gateway's format. */
final class HttpErrors {

  private HttpErrors() {}

  /** A JSON object with its fields in the given order: name, value, name, value... */
  static Map<String, Object> fields(Object... namesAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  static Response error(int status, String code, String message) {
    return Response.json(status, fields("error", code, "message", message));
  }

  static Response notFound(String path) {
    return error(404, "not_found", "No route " + path);
  }

  static Response methodNotAllowed(String method, String path, String allowed) {
    return error(405, "method_not_allowed", path + " supports " + allowed + ", not " + method)
        .withHeader("Allow", allowed);
  }

  /** 426 for a request to a WebSocket route that is not an upgrade; null when it is one. */
  static Response unlessUpgrade(Request request) {
    return request.isWebSocketUpgrade()
        ? null
        : error(426, "upgrade_required", "Open " + request.path() + " as a WebSocket");
  }

  /** 405 (Allow: GET) for a method other than GET and HEAD; null for those. */
  static Response unlessRead(Request request) {
    String method = request.method();
    return method.equals("GET") || method.equals("HEAD")
        ? null
        : methodNotAllowed(method, request.path(), "GET");
  }
}

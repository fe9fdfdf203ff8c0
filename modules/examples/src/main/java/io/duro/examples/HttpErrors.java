package io.duro.examples;

import io.duro.api.Response;
import java.util.Map;

/** The JSON error responses the examples send, in the gateway's format. */
final class HttpErrors {

  private HttpErrors() {}

  static Response notFound(String path) {
    return Response.json(404, Map.of("error", "not_found", "message", "No route " + path));
  }

  static Response methodNotAllowed(String method, String path, String allowed) {
    return Response.json(
            405,
            Map.of(
                "error",
                "method_not_allowed",
                "message",
                path + " supports " + allowed + ", not " + method))
        .withHeader("Allow", allowed);
  }

  static Response badRequest(String message) {
    return Response.json(400, Map.of("error", "bad_request", "message", message));
  }
}

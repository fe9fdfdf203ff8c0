package io.duro.gateway;

import io.duro.api.DuroException;
import io.duro.api.OverloadedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The gateway's error responses: JSON {@code {"error": code, "message": text}} with a
 * status chosen by the code — 4xx for bad input, 503 with {@code Retry-After} for transient
 * failures, 500 only for failures of user code.
 */
final class ErrorBody {

  private ErrorBody() {}

  /**
   * The HTTP status of an error code.
   *
   * @param code the code
   * @return the status
   */
  static int statusOf(String code) {
    return switch (code) {
      case "invalid_argument", "invalid_id", "limit_exceeded", "bad_request" -> 400;
      case "unknown_binding", "not_found" -> 404;
      case "method_not_allowed" -> 405;
      case "body_too_large" -> 413;
      case "overloaded", "storage_failed", "unavailable", "shutting_down", "not_delivered" -> 503;
      case "timeout" -> 504;
      default -> 500;
    };
  }

  static HttpResponse of(String code, String message) {
    return of(code, message, Duration.ZERO);
  }

  static HttpResponse of(String code, String message, Duration retryAfter) {
    return of(statusOf(code), code, message, retryAfter);
  }

  static HttpResponse of(int status, String code, String message, Duration retryAfter) {
    HttpResponse response =
        HttpResponse.create()
            .withStatus(status)
            .withEntity(
                ContentTypes.APPLICATION_JSON,
                ("{\"error\":" + quote(code) + ",\"message\":" + quote(message) + "}")
                    .getBytes(StandardCharsets.UTF_8));
    if (status == 503) {
      long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
      response = response.addHeader(RawHeader.create("Retry-After", Long.toString(seconds)));
    }
    return response;
  }

  static HttpResponse of(DuroException e) {
    Duration retryAfter =
        e instanceof OverloadedException o && o.retryAfter() != null
            ? o.retryAfter()
            : Duration.ZERO;
    return of(e.code(), e.getMessage(), retryAfter);
  }

  /** JSON string literal. */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}

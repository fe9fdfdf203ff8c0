package io.duro.gateway;

import java.time.Duration;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests that Pekko HTTP cannot parse (a malformed percent-escape, an over-long URI or
 * header) in the gateway's JSON error format instead of plain text. Configured as {@code
 * pekko.http.server.parsing.error-handler} in {@code duro-gateway-defaults.conf}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  /** Created by Pekko HTTP from the configuration. */
  public JsonParsingErrorHandler() {}

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue();
    String name =
        switch (code) {
          case 413 -> "body_too_large";
          case 414 -> "uri_too_long";
          case 431 -> "headers_too_large";
          case 501 -> "not_implemented";
          default -> code >= 500 ? "internal" : "bad_request";
        };
    String message = error.summary();
    if (error.detail() != null && !error.detail().isEmpty()) {
      message = message + ": " + error.detail();
    }
    return ErrorBody.of(code, name, "The request could not be parsed: " + message, Duration.ZERO);
  }
}

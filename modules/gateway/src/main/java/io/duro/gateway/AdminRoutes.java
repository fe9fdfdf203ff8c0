package io.duro.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.duro.runtime.DuroRuntime;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The admin API under {@code /_duro/}, for operators.
 *
 * <ul>
 *   <li>{@code GET /_duro/health} → {@code {"status":"ok"}} once the node serves requests;
 *   <li>{@code GET /_duro/alarms?due_before=…&limit=…} → pending alarms, earliest first: {@code
 *       due_before} is an ISO-8601 instant or epoch milliseconds (default: all), {@code limit}
 *       1..10000 (default 100);
 *   <li>{@code GET /_duro/migrations} → the application's applied migrations and its namespaces,
 *       with the progress of the removal of deleted classes (docs/migrations.md).
 * </ul>
 */
final class AdminRoutes {

  static final String PREFIX = "/_duro/";
  private static final int MAX_LIMIT = 10_000;

  private final DuroRuntime runtime;
  private final ObjectMapper json = new ObjectMapper();

  AdminRoutes(DuroRuntime runtime) {
    this.runtime = runtime;
  }

  CompletionStage<HttpResponse> handle(HttpRequest http, String path, String method) {
    if (!path.equals(PREFIX + "health") && !path.equals(PREFIX + "alarms")
        && !path.equals(PREFIX + "migrations")) {
      return done(ErrorBody.of("not_found", "No admin endpoint " + path));
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return done(
          ErrorBody.of("method_not_allowed", path + " supports GET, not " + method)
              .addHeader(RawHeader.create("Allow", "GET")));
    }
    if (path.equals(PREFIX + "health")) {
      return done(
          HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, "{\"status\":\"ok\"}"));
    }
    if (path.equals(PREFIX + "migrations")) {
      return migrations();
    }
    return alarms(http);
  }

  private CompletionStage<HttpResponse> migrations() {
    return runtime
        .migrationStatus()
        .handleAsync(
            (status, error) -> {
              if (error != null) {
                return ErrorBody.of("unavailable", Gateway.unwrap(error).getMessage());
              }
              try {
                return HttpResponse.create()
                    .withEntity(ContentTypes.APPLICATION_JSON,
                        json.writeValueAsBytes(MigrationsJson.of(status)));
              } catch (Exception e) {
                return ErrorBody.of("internal", "Cannot render the migrations: " + e);
              }
            },
            Runnable::run);
  }

  private CompletionStage<HttpResponse> alarms(HttpRequest http) {
    Instant dueBefore;
    int limit;
    try {
      dueBefore = http.getUri().query().get("due_before").map(AdminRoutes::instant)
          .orElse(Instant.ofEpochMilli(Long.MAX_VALUE / 2));
      limit = http.getUri().query().get("limit").map(AdminRoutes::limit).orElse(100);
    } catch (IllegalArgumentException e) {
      return done(ErrorBody.of("invalid_argument", e.getMessage()));
    }
    return runtime
        .pendingAlarms(dueBefore, limit)
        .handleAsync(
            (alarms, error) -> {
              if (error != null) {
                return ErrorBody.of(
                    "unavailable", "The alarm index cannot be read: " + error.getMessage());
              }
              List<Map<String, Object>> rows =
                  alarms.stream()
                      .map(
                          a -> {
                            Map<String, Object> row = new LinkedHashMap<>();
                            row.put("binding", a.binding());
                            row.put("class", a.className());
                            row.put("object", a.objectId());
                            row.put("due", a.dueAt().toString());
                            row.put("retries", a.retries());
                            return row;
                          })
                      .toList();
              try {
                return HttpResponse.create()
                    .withEntity(
                        ContentTypes.APPLICATION_JSON,
                        json.writeValueAsBytes(Map.of("alarms", rows, "count", rows.size())));
              } catch (Exception e) {
                return ErrorBody.of("internal", "Cannot render the alarms: " + e);
              }
            },
            Runnable::run);
  }

  private static Instant instant(String value) {
    try {
      return value.chars().allMatch(Character::isDigit) && !value.isEmpty()
          ? Instant.ofEpochMilli(Long.parseLong(value))
          : Instant.parse(value);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "due_before must be an ISO-8601 instant (2026-01-31T12:00:00Z) or epoch milliseconds;"
              + " got '"
              + value
              + "'");
    }
  }

  private static int limit(String value) {
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be an integer from 1 to " + MAX_LIMIT + "; got '" + value + "'");
    }
    return n;
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}

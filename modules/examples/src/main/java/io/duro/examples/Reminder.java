package io.duro.examples;

import io.duro.api.AlarmInfo;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code reminder} object: a durable alarm you can watch fire.
 *
 * <ul>
 *   <li>{@code POST /schedule?in=MILLIS} → sets the alarm that many milliseconds ahead, {@code
 *       {"alarm": "<ISO time>"}};
 *   <li>{@code GET /} → {@code {"alarm": <ISO time or null>, "fired": n, "runs": [...]}}, the
 *       last 20 runs with their scheduled and actual times;
 *   <li>{@code DELETE /} → cancels the alarm.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST 'localhost:8080/reminder/tea/schedule?in=3000'
 * sleep 4; curl localhost:8080/reminder/tea      # "fired":1
 * }</pre>
 */
public final class Reminder implements DurableObject {

  private static final int KEPT_RUNS = 20;

  private final Storage storage;
  private final java.time.Clock clock;

  /**
   * Creates the reminder.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public Reminder(DurableObjectState state, Env env) {
    this.storage = state.storage();
    this.clock = state.clock(); // the testkit moves it
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/schedule")) {
      if (!method.equals("POST")) {
        return HttpErrors.methodNotAllowed(method, path, "POST").completed();
      }
      Instant at;
      try {
        // alarms have millisecond precision
        at = clock.instant().plusMillis(delay(request)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      } catch (java.time.DateTimeException | ArithmeticException e) {
        throw new InvalidArgumentException("in is too far ahead: " + e.getMessage());
      }
      storage.setAlarm(at);
      return Response.json(Map.of("alarm", at.toString())).completed();
    }
    if (path.equals("/")) {
      return switch (method) {
        case "GET", "HEAD" -> Response.json(status()).completed();
        case "DELETE" -> {
          storage.deleteAlarm();
          yield Response.json(status()).completed();
        }
        default -> HttpErrors.methodNotAllowed(method, path, "GET, DELETE").completed();
      };
    }
    return HttpErrors.notFound(path).completed();
  }

  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    long fired = storage.get("fired", Long.class).orElse(0L) + 1;
    List<Object> runs = new ArrayList<>(storage.get("runs", List.class).orElse(List.of()));
    runs.add(
        HttpErrors.fields(
            "scheduled", info.scheduledTime().toString(),
            "at", clock.instant().toString(),
            "retry", info.retryCount()));
    while (runs.size() > KEPT_RUNS) {
      runs.remove(0);
    }
    storage.put(Map.of("fired", fired, "runs", runs));
    return CompletableFuture.completedFuture(null);
  }

  private Map<String, Object> status() {
    return HttpErrors.fields(
        "alarm", storage.getAlarm().map(Instant::toString).orElse(null),
        "fired", storage.get("fired", Long.class).orElse(0L),
        "runs", storage.get("runs", List.class).orElse(List.of()));
  }

  private static long delay(Request request) {
    String in =
        request
            .queryParam("in")
            .orElseThrow(
                () -> new InvalidArgumentException("Give the delay: /schedule?in=MILLISECONDS"));
    try {
      long millis = Long.parseLong(in);
      if (millis < 0) {
        throw new NumberFormatException();
      }
      return millis;
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException(
          "in must be a non-negative number of milliseconds; got '" + in + "'");
    }
  }
}

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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code session} object: a user session that expires after a period of inactivity.
 * Each use pushes the expiry back; the object's alarm deletes the session's data when it lapses,
 * also if the object was passivated or the node restarted meanwhile.
 *
 * <ul>
 *   <li>{@code PUT /} with a JSON object → starts or updates the session's data; {@code
 *       ?ttlMs=N} sets the inactivity timeout (default 30 minutes);
 *   <li>{@code GET /} → {@code {"data":{...},"expiresAt":...}} and extends it, or 404 {@code
 *       no_session};
 *   <li>{@code DELETE /} → ends the session.
 * </ul>
 *
 * <pre>{@code
 * curl -X PUT 'localhost:8080/session/s1?ttlMs=60000' -d '{"user":"ada"}'
 * }</pre>
 */
public final class Session implements DurableObject {

  private static final long DEFAULT_TTL_MS = 30 * 60 * 1000;
  private static final long MAX_TTL_MS = 30L * 24 * 3600 * 1000;

  private final Storage storage;
  private final java.time.Clock clock;

  /**
   * Creates the session.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public Session(DurableObjectState state, Env env) {
    this.storage = state.storage();
    this.clock = state.clock(); // the testkit moves it
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (!path.equals("/")) {
      return HttpErrors.notFound(path).completed();
    }
    long now = clock.millis();
    switch (method) {
      case "PUT" -> {
        long ttl = ttl(request);
        if (request.body().length == 0) {
          throw new InvalidArgumentException("Send the session's data as a JSON object");
        }
        Map<String, Object> data = request.json(Map.class);
        storage.put(Map.of("data", data, "ttl", ttl));
        return Response.json(touch(data, ttl, now)).completed();
      }
      case "GET", "HEAD" -> {
        Optional<Map> data = storage.get("data", Map.class);
        if (data.isEmpty()) {
          return HttpErrors.error(404, "no_session", "No session, or it expired").completed();
        }
        long ttl = storage.get("ttl", Long.class).orElse(DEFAULT_TTL_MS);
        return Response.json(touch(data.get(), ttl, now)).completed();
      }
      case "DELETE" -> {
        storage.deleteAll(); // the data and the alarm
        return Response.json(HttpErrors.fields("ended", true)).completed();
      }
      default -> {
        return HttpErrors.methodNotAllowed(method, path, "GET, PUT, DELETE").completed();
      }
    }
  }

  private Map<String, Object> touch(Map<?, ?> data, long ttl, long now) {
    Instant expiresAt = Instant.ofEpochMilli(now + ttl);
    storage.setAlarm(expiresAt);
    return HttpErrors.fields("data", data, "expiresAt", expiresAt.toString());
  }

  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    storage.deleteAll(); // the session lapsed
    return CompletableFuture.completedFuture(null);
  }

  private static long ttl(Request request) {
    String raw = request.queryParam("ttlMs").orElse(Long.toString(DEFAULT_TTL_MS));
    try {
      long ttl = Long.parseLong(raw);
      if (ttl >= 1 && ttl <= MAX_TTL_MS) {
        return ttl;
      }
    } catch (NumberFormatException e) {
      // falls through to the error
    }
    throw new InvalidArgumentException(
        "ttlMs must be a number of milliseconds from 1 to " + MAX_TTL_MS + "; got '" + raw + "'");
  }
}

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
 * The built-in {@code lock} object: a lease-based lock with fencing tokens. The lease lapses at
 * its expiry through the object's alarm, even if the holder crashed; every grant carries a token
 * larger than all earlier ones, so a resource can refuse a stale holder.
 *
 * <ul>
 *   <li>{@code POST /acquire} {@code {"owner":"a","ttlMs":5000}} → 200 {@code
 *       {"token":n,"expiresAt":...}}, or 409 {@code locked} naming the holder; the holder may
 *       call it again to renew;
 *   <li>{@code POST /release} {@code {"owner":"a","token":n}} → 200, or 409 {@code not_holder};
 *   <li>{@code GET /} → the current lease, if any.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/lock/db-migration/acquire -d '{"owner":"node-1","ttlMs":10000}'
 * }</pre>
 */
public final class DistributedLock implements DurableObject {

  /**
   * A granted lease.
   *
   * @param owner who holds it
   * @param token the fencing token
   * @param expiresAtMillis when it lapses
   */
  public record Lease(String owner, long token, long expiresAtMillis) {}

  private static final long MAX_TTL_MS = 24L * 3600 * 1000;

  private final Storage storage;
  private final java.time.Clock clock;

  /**
   * Creates the lock.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public DistributedLock(DurableObjectState state, Env env) {
    this.storage = state.storage();
    this.clock = state.clock(); // the testkit moves it
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    long now = clock.millis();
    Optional<Lease> lease =
        storage.get("lease", Lease.class).filter(l -> l.expiresAtMillis() > now);
    if (path.equals("/")) {
      return Response.json(HttpErrors.fields("lease", lease.orElse(null))).completed();
    }
    if (!path.equals("/acquire") && !path.equals("/release")) {
      return HttpErrors.notFound(path).completed();
    }
    if (!method.equals("POST")) {
      return HttpErrors.methodNotAllowed(method, path, "POST").completed();
    }
    Map<String, Object> body = request.json(Map.class);
    Object owner = body.get("owner");
    if (!(owner instanceof String who) || who.isBlank()) {
      throw new InvalidArgumentException("owner must be a non-empty string; got " + owner);
    }
    if (path.equals("/acquire")) {
      Object ttl = body.get("ttlMs");
      if (!(ttl instanceof Number n) || n.longValue() <= 0 || n.longValue() > MAX_TTL_MS) {
        throw new InvalidArgumentException(
            "ttlMs must be a number of milliseconds from 1 to " + MAX_TTL_MS + "; got " + ttl);
      }
      if (lease.isPresent() && !lease.get().owner().equals(who)) {
        return HttpErrors.error(409, "locked", "Held by " + lease.get().owner() + " until "
                + Instant.ofEpochMilli(lease.get().expiresAtMillis()))
            .completed();
      }
      long token =
          lease.isPresent()
              ? lease.get().token()
              : storage.get("last-token", Long.class).orElse(0L) + 1;
      Lease granted = new Lease(who, token, now + n.longValue());
      storage.put(Map.of("lease", granted, "last-token", token));
      storage.setAlarm(Instant.ofEpochMilli(granted.expiresAtMillis()));
      return Response.json(
              HttpErrors.fields(
                  "token", token, "expiresAt", Instant.ofEpochMilli(granted.expiresAtMillis())))
          .completed();
    }
    Object token = body.get("token");
    if (lease.isEmpty()
        || !lease.get().owner().equals(who)
        || !(token instanceof Number t)
        || t.longValue() != lease.get().token()) {
      return HttpErrors.error(409, "not_holder", who + " does not hold the lock with token " + token)
          .completed();
    }
    storage.delete("lease");
    storage.deleteAlarm();
    return Response.json(HttpErrors.fields("released", true)).completed();
  }

  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    storage
        .get("lease", Lease.class)
        .filter(l -> l.expiresAtMillis() <= clock.millis())
        .ifPresent(l -> storage.delete("lease")); // the lease lapsed
    return CompletableFuture.completedFuture(null);
  }
}

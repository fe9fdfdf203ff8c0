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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code pool} object: connection pooling. It hands out at most {@code max} leases on
 * a backend (default 3), queues the other clients in arrival order, gives a freed lease to the
 * first in the queue, and takes back leases whose holder did not renew or release them in time
 * (by its alarm), so a crashed client cannot leak a connection.
 *
 * <ul>
 *   <li>{@code POST /acquire} {@code {"client":"c1","ttlMs":30000}} → 200 {@code {"lease":n,...}}
 *       (also when the client holds one already: renews it), or 202 {@code {"queued":position}};
 *   <li>{@code GET /lease?client=c1} → the client's lease (200), its queue position (202), or 404;
 *   <li>{@code POST /release} {@code {"lease":n}} → 200, or 404 {@code no_lease};
 *   <li>{@code PUT /config} {@code {"max":n}} (1..1000); {@code GET /} → the pool.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/pool/db/acquire -d '{"client":"worker-1","ttlMs":30000}'
 * }</pre>
 */
public final class ConnectionPool implements DurableObject {

  /**
   * A granted lease.
   *
   * @param client who holds it
   * @param expiresAtMillis when it is taken back unless renewed
   * @param ttlMs its renewal period
   */
  public record Lease(String client, long expiresAtMillis, long ttlMs) {}

  /**
   * A queued client.
   *
   * @param client who waits
   * @param ttlMs the lease period it asked for
   */
  public record Waiter(String client, long ttlMs) {}

  /**
   * The pool's durable state.
   *
   * @param max most leases at once
   * @param nextLease the next lease number
   * @param leases lease number → lease
   * @param queue waiting clients, first first
   */
  public record Pool(int max, long nextLease, Map<String, Lease> leases, List<Waiter> queue) {}

  private static final int MAX_QUEUE = 1000;
  private static final long MAX_TTL_MS = 3_600_000;

  private final Storage storage;
  private final java.time.Clock clock;

  /**
   * Creates the pool.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public ConnectionPool(DurableObjectState state, Env env) {
    this.storage = state.storage();
    this.clock = state.clock(); // the testkit moves it
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Response> fetch(Request request) {
    long now = clock.millis();
    Pool pool = expire(load(), now);
    String path = request.path();
    String method = request.method();
    Response response;
    switch (path) {
      case "/" -> response = Response.json(pool);
      case "/lease" -> response = status(pool, request.queryParam("client").orElse(""));
      case "/config" -> {
        if (!method.equals("PUT")) {
          return HttpErrors.methodNotAllowed(method, path, "PUT").completed();
        }
        Object max = request.json(Map.class).get("max");
        if (!(max instanceof Integer m) || m < 1 || m > 1000) {
          throw new InvalidArgumentException("max must be an integer 1..1000; got " + max);
        }
        pool = promote(new Pool(m, pool.nextLease(), pool.leases(), pool.queue()), now);
        response = Response.json(pool);
      }
      case "/acquire", "/release" -> {
        if (!method.equals("POST")) {
          return HttpErrors.methodNotAllowed(method, path, "POST").completed();
        }
        Map<String, Object> body = request.json(Map.class);
        if (path.equals("/acquire")) {
          String client = client(body.get("client"));
          long ttl = ttl(body.get("ttlMs"));
          pool = acquire(pool, client, ttl, now);
          response = status(pool, client);
          if (response.status() == 404) {
            response = HttpErrors.error(503, "pool_full", "The queue holds " + MAX_QUEUE
                + " clients already; retry later").withHeader("Retry-After", "1");
          }
        } else {
          String lease = String.valueOf(body.get("lease"));
          if (!pool.leases().containsKey(lease)) {
            response = HttpErrors.error(404, "no_lease", "No lease " + lease + " (expired?)");
          } else {
            Map<String, Lease> leases = new LinkedHashMap<>(pool.leases());
            leases.remove(lease);
            pool = promote(new Pool(pool.max(), pool.nextLease(), leases, pool.queue()), now);
            response = Response.json(HttpErrors.fields("released", Long.parseLong(lease)));
          }
        }
      }
      default -> {
        return HttpErrors.notFound(path).completed();
      }
    }
    save(pool);
    return response.completed();
  }

  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    save(expire(load(), clock.millis()));
    return CompletableFuture.completedFuture(null);
  }

  private Pool load() {
    return storage
        .get("pool", Pool.class)
        .orElse(new Pool(3, 1, new LinkedHashMap<>(), new ArrayList<>()));
  }

  /** Stores the pool and sets the alarm to the earliest lease expiry. */
  private void save(Pool pool) {
    storage.put("pool", pool);
    pool.leases().values().stream()
        .mapToLong(Lease::expiresAtMillis)
        .min()
        .ifPresentOrElse(at -> storage.setAlarm(Instant.ofEpochMilli(at)), storage::deleteAlarm);
  }

  private static Pool expire(Pool pool, long now) {
    Map<String, Lease> live = new LinkedHashMap<>();
    pool.leases().forEach((id, l) -> {
      if (l.expiresAtMillis() > now) {
        live.put(id, l);
      }
    });
    return promote(new Pool(pool.max(), pool.nextLease(), live, pool.queue()), now);
  }

  /** Gives free leases to the first clients in the queue. */
  private static Pool promote(Pool pool, long now) {
    Map<String, Lease> leases = new LinkedHashMap<>(pool.leases());
    List<Waiter> queue = new ArrayList<>(pool.queue());
    long next = pool.nextLease();
    while (leases.size() < pool.max() && !queue.isEmpty()) {
      Waiter w = queue.remove(0);
      leases.put(Long.toString(next++), new Lease(w.client(), now + w.ttlMs(), w.ttlMs()));
    }
    return new Pool(pool.max(), next, leases, queue);
  }

  private static Pool acquire(Pool pool, String client, long ttl, long now) {
    Map<String, Lease> leases = new LinkedHashMap<>(pool.leases());
    for (Map.Entry<String, Lease> e : leases.entrySet()) {
      if (e.getValue().client().equals(client)) {
        e.setValue(new Lease(client, now + ttl, ttl)); // renew
        return new Pool(pool.max(), pool.nextLease(), leases, pool.queue());
      }
    }
    List<Waiter> queue = new ArrayList<>(pool.queue());
    if (queue.stream().noneMatch(w -> w.client().equals(client)) && queue.size() < MAX_QUEUE) {
      queue.add(new Waiter(client, ttl));
    }
    return promote(new Pool(pool.max(), pool.nextLease(), leases, queue), now);
  }

  private static Response status(Pool pool, String client) {
    for (Map.Entry<String, Lease> e : pool.leases().entrySet()) {
      if (e.getValue().client().equals(client)) {
        return Response.json(
            HttpErrors.fields(
                "lease", Long.parseLong(e.getKey()),
                "client", client,
                "expiresAt", Instant.ofEpochMilli(e.getValue().expiresAtMillis()).toString()));
      }
    }
    for (int i = 0; i < pool.queue().size(); i++) {
      if (pool.queue().get(i).client().equals(client)) {
        return Response.json(202, HttpErrors.fields("queued", i + 1, "client", client));
      }
    }
    return HttpErrors.error(404, "no_lease", "Client '" + client + "' holds no lease and waits for none");
  }

  private static String client(Object value) {
    if (!(value instanceof String c) || c.isBlank() || c.length() > 200) {
      throw new InvalidArgumentException(
          "client must be a non-empty string of at most 200 characters; got " + value);
    }
    return c;
  }

  private static long ttl(Object value) {
    if (value == null) {
      return 30_000;
    }
    if (!(value instanceof Number n) || n.longValue() < 1 || n.longValue() > MAX_TTL_MS) {
      throw new InvalidArgumentException(
          "ttlMs must be a number of milliseconds from 1 to " + MAX_TTL_MS + "; got " + value);
    }
    return n.longValue();
  }
}

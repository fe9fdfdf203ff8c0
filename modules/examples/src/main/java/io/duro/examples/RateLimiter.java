package io.duro.examples;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code rate-limiter} object: a token bucket per key (e.g. per user). One object per
 * user serializes that user's requests, so the count is exact without locks.
 *
 * <ul>
 *   <li>{@code POST /take?cost=N} (default 1) → 200 {@code {"allowed":true,"remaining":r}}, or 429
 *       {@code {"error":"rate_limited",...}} with {@code Retry-After} (seconds) when the bucket
 *       holds fewer than N tokens;
 *   <li>{@code PUT /config} with {@code {"capacity":c,"refillPerSecond":r}} → sets the bucket
 *       (defaults: 10 tokens, 5 per second);
 *   <li>{@code GET /} → the bucket's state.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/rate-limiter/alice/take     # {"allowed":true,"remaining":9.0}
 * }</pre>
 */
public final class RateLimiter implements DurableObject {

  /**
   * The bucket's durable state.
   *
   * @param capacity most tokens the bucket holds
   * @param refillPerSecond tokens added per second
   * @param tokens tokens at {@code updatedAtMillis}
   * @param updatedAtMillis when {@code tokens} was computed
   */
  public record Bucket(double capacity, double refillPerSecond, double tokens, long updatedAtMillis) {

    Bucket refilled(long now) {
      double elapsed = Math.max(0, now - updatedAtMillis) / 1000.0;
      return new Bucket(
          capacity, refillPerSecond, Math.min(capacity, tokens + elapsed * refillPerSecond), now);
    }
  }

  private final Storage storage;
  private final java.time.Clock clock;

  /**
   * Creates the limiter.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public RateLimiter(DurableObjectState state, Env env) {
    this.storage = state.storage();
    this.clock = state.clock(); // the testkit moves it
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    long now = clock.millis();
    Bucket bucket =
        storage.get("bucket", Bucket.class).orElse(new Bucket(10, 5, 10, now)).refilled(now);
    String path = request.path();
    String method = request.method();
    return switch (path) {
      case "/take" -> {
        if (!method.equals("POST")) {
          yield HttpErrors.methodNotAllowed(method, path, "POST").completed();
        }
        double cost = cost(request, bucket);
        if (bucket.tokens() < cost) {
          long waitSeconds =
              (long) Math.ceil((cost - bucket.tokens()) / bucket.refillPerSecond());
          storage.put("bucket", bucket);
          yield HttpErrors.error(
                  429,
                  "rate_limited",
                  "Rate limit exceeded: " + cost + " tokens asked, " + bucket.tokens()
                      + " left; retry in " + waitSeconds + " s")
              .withHeader("Retry-After", Long.toString(Math.max(1, waitSeconds)))
              .completed();
        }
        Bucket after =
            new Bucket(bucket.capacity(), bucket.refillPerSecond(), bucket.tokens() - cost, now);
        storage.put("bucket", after);
        yield Response.json(HttpErrors.fields("allowed", true, "remaining", after.tokens()))
            .completed();
      }
      case "/config" -> {
        if (!method.equals("PUT")) {
          yield HttpErrors.methodNotAllowed(method, path, "PUT").completed();
        }
        Bucket configured = configure(request, bucket, now);
        storage.put("bucket", configured);
        yield Response.json(configured).completed();
      }
      case "/" -> Response.json(bucket).completed();
      default -> HttpErrors.notFound(path).completed();
    };
  }

  private static double cost(Request request, Bucket bucket) {
    String raw = request.queryParam("cost").orElse("1");
    double cost;
    try {
      cost = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      cost = Double.NaN;
    }
    if (!(cost > 0) || cost > bucket.capacity()) {
      throw new InvalidArgumentException(
          "cost must be a number above 0 and at most the capacity " + bucket.capacity()
              + "; got '" + raw + "'");
    }
    return cost;
  }

  @SuppressWarnings("unchecked")
  private static Bucket configure(Request request, Bucket bucket, long now) {
    Map<String, Object> body = request.json(Map.class);
    double capacity = positive(body, "capacity");
    double refill = positive(body, "refillPerSecond");
    return new Bucket(capacity, refill, Math.min(capacity, bucket.tokens()), now);
  }

  private static double positive(Map<String, Object> body, String field) {
    Object v = body.get(field);
    if (!(v instanceof Number n) || !(n.doubleValue() > 0)) {
      throw new InvalidArgumentException(field + " must be a positive number; got " + v);
    }
    return n.doubleValue();
  }
}

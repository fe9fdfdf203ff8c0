package io.duro.examples;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.ListOptions;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code cart} object: a shopping cart per user. Every change carries a {@code
 * requestId}; repeating a request (a client retry after a timeout) returns the first answer and
 * changes nothing, so retries are safe.
 *
 * <ul>
 *   <li>{@code POST /items} {@code {"requestId":"r1","sku":"tea","qty":2}} → adds;
 *   <li>{@code DELETE /items/{sku}?requestId=r2} → removes the line;
 *   <li>{@code POST /checkout} {@code {"requestId":"r3"}} → {@code {"order":n,"items":{...}}} and
 *       empties the cart; an empty cart is 409 {@code empty_cart};
 *   <li>{@code GET /} → {@code {"items":{sku:qty}}}.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/cart/alice/items -d '{"requestId":"r1","sku":"tea","qty":2}'
 * }</pre>
 */
public final class ShoppingCart implements DurableObject {

  private static final int MAX_QTY = 10_000;

  private final Storage storage;

  /**
   * Creates the cart.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public ShoppingCart(DurableObjectState state, Env env) {
    this.storage = state.storage();
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/")) {
      return Response.json(Map.of("items", items())).completed();
    }
    if (path.equals("/items") && method.equals("POST")) {
      Map<String, Object> body = request.json(Map.class);
      String requestId = requestId(body.get("requestId"));
      return once(requestId, () -> {
        String sku = sku(body.get("sku"));
        Object qty = body.get("qty");
        if (!(qty instanceof Integer q) || q < 1 || q > MAX_QTY) {
          throw new InvalidArgumentException("qty must be an integer 1.." + MAX_QTY + "; got " + qty);
        }
        long now = storage.get("item:" + sku, Long.class).orElse(0L) + q;
        storage.put("item:" + sku, now);
        return Map.of("items", items());
      });
    }
    if (path.startsWith("/items/") && method.equals("DELETE")) {
      String sku = sku(path.substring("/items/".length()));
      String requestId = requestId(request.queryParam("requestId").orElse(null));
      return once(requestId, () -> {
        storage.delete("item:" + sku);
        return Map.of("items", items());
      });
    }
    if (path.equals("/checkout") && method.equals("POST")) {
      Map<String, Object> body = request.json(Map.class);
      String requestId = requestId(body.get("requestId"));
      Optional<Map> earlier = storage.get("request:" + requestId, Map.class);
      if (earlier.isPresent()) {
        return Response.json(earlier.get()).completed();
      }
      Map<String, Long> items = items();
      if (items.isEmpty()) {
        return HttpErrors.error(409, "empty_cart", "The cart is empty: nothing to check out")
            .completed();
      }
      return once(requestId, () -> {
        long order = storage.get("orders", Long.class).orElse(0L) + 1;
        storage.put("orders", order);
        items.keySet().forEach(sku -> storage.delete("item:" + sku));
        return HttpErrors.fields("order", order, "items", items);
      });
    }
    if (path.equals("/items") || path.startsWith("/items/") || path.equals("/checkout")) {
      return HttpErrors.methodNotAllowed(
              method, path, path.startsWith("/items/") ? "DELETE" : "POST")
          .completed();
    }
    return HttpErrors.notFound(path).completed();
  }

  /** Runs a change once per request ID, atomically with the record of its answer. */
  @SuppressWarnings("unchecked")
  private CompletionStage<Response> once(
      String requestId, java.util.function.Supplier<Map<String, Object>> change) {
    Optional<Map> earlier = storage.get("request:" + requestId, Map.class);
    if (earlier.isPresent()) {
      return Response.json(earlier.get()).completed();
    }
    Map<String, Object> answer =
        storage.transaction(
            txn -> {
              Map<String, Object> result = change.get();
              txn.put("request:" + requestId, result);
              return result;
            });
    return Response.json(answer).completed();
  }

  private Map<String, Long> items() {
    Map<String, Long> items = new LinkedHashMap<>();
    storage
        .list(ListOptions.prefix("item:"), Long.class)
        .forEach((key, qty) -> items.put(key.substring("item:".length()), qty));
    return items;
  }

  private static String requestId(Object value) {
    if (!(value instanceof String id) || id.isBlank() || id.length() > 200) {
      throw new InvalidArgumentException(
          "requestId must be a non-empty string of at most 200 characters; got " + value);
    }
    return id;
  }

  private static String sku(Object value) {
    if (!(value instanceof String sku) || !sku.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new InvalidArgumentException(
          "sku must be 1-64 letters, digits, '.', '_' or '-'; got " + value);
    }
    return sku;
  }
}

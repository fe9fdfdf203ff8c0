package io.duro.examples;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.ListOptions;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code kv} object: the storage API over HTTP, values as JSON. Storage errors (a key
 * or value over its limit, bad list options) reach the caller as the gateway's JSON errors, and
 * nothing is written.
 *
 * <ul>
 *   <li>{@code PUT /keys/{key}} with a JSON body → stores it; {@code GET /keys/{key}} → the value
 *       or 404; {@code DELETE /keys/{key}} → {@code {"deleted": true|false}};
 *   <li>{@code GET /keys?prefix=&start=&startAfter=&end=&reverse=&limit=} → {@code {"entries":
 *       {...}}} in UTF-8 key order;
 *   <li>{@code POST /batch/put} with a JSON object → stores every entry atomically; {@code POST
 *       /batch/get} and {@code POST /batch/delete} with a JSON array of keys;
 *   <li>{@code DELETE /keys} → deletes everything.
 * </ul>
 *
 * <pre>{@code
 * curl -X PUT localhost:8080/kv/mine/keys/greeting -d '"hello"'
 * curl 'localhost:8080/kv/mine/keys?prefix=gr'     # {"entries":{"greeting":"hello"}}
 * }</pre>
 */
public final class KeyValueStore implements DurableObject {

  private final Storage storage;

  /**
   * Creates the store.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public KeyValueStore(DurableObjectState state, Env env) {
    this.storage = state.storage();
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/keys")) {
      return switch (method) {
        case "GET" -> Response.json(Map.of("entries", list(request))).completed();
        case "DELETE" -> {
          storage.deleteAll();
          yield Response.json(Map.of("deleted", "all")).completed();
        }
        default -> HttpErrors.methodNotAllowed(method, path, "GET, DELETE").completed();
      };
    }
    if (path.startsWith("/keys/")) {
      String key = decode(path.substring("/keys/".length()));
      return switch (method) {
        case "GET" -> {
          Optional<Object> value = storage.get(key, Object.class);
          yield value.isPresent()
              ? Response.json(HttpErrors.fields("key", key, "value", value.get())).completed()
              : HttpErrors.error(404, "not_found", "No key " + key).completed();
        }
        case "PUT" -> {
          storage.put(key, body(request));
          yield Response.json(Map.of("stored", key)).completed();
        }
        case "DELETE" -> Response.json(Map.of("deleted", storage.delete(key))).completed();
        default -> HttpErrors.methodNotAllowed(method, path, "GET, PUT, DELETE").completed();
      };
    }
    if (path.startsWith("/batch/")) {
      if (!method.equals("POST")) {
        return HttpErrors.methodNotAllowed(method, path, "POST").completed();
      }
      return switch (path) {
        case "/batch/put" -> {
          storage.put(bodyAs(request, Map.class));
          yield Response.json(Map.of("stored", true)).completed();
        }
        case "/batch/get" ->
            Response.json(Map.of("entries", storage.get(keys(request), Object.class))).completed();
        case "/batch/delete" ->
            Response.json(Map.of("deleted", storage.delete(keys(request)))).completed();
        default -> HttpErrors.notFound(path).completed();
      };
    }
    return HttpErrors.notFound(path).completed();
  }

  private Map<String, Object> list(Request request) {
    ListOptions.Builder options = ListOptions.builder();
    request.queryParam("prefix").ifPresent(options::prefix);
    request.queryParam("start").ifPresent(options::start);
    request.queryParam("startAfter").ifPresent(options::startAfter);
    request.queryParam("end").ifPresent(options::end);
    request.queryParam("reverse").ifPresent(r -> options.reverse(Boolean.parseBoolean(r)));
    Optional<String> limit = request.queryParam("limit");
    if (limit.isPresent()) {
      try {
        options.limit(Integer.parseInt(limit.get()));
      } catch (NumberFormatException e) {
        throw new InvalidArgumentException("limit must be an integer; got '" + limit.get() + "'");
      }
    }
    return storage.list(options.build(), Object.class);
  }

  private static Object body(Request request) {
    if (request.body().length == 0) {
      throw new InvalidArgumentException("The value is empty: send a JSON value as the body");
    }
    return request.json(Object.class);
  }

  private static <T> T bodyAs(Request request, Class<T> type) {
    if (request.body().length == 0) {
      throw new InvalidArgumentException("The body is empty: send JSON");
    }
    return request.json(type);
  }

  @SuppressWarnings("unchecked")
  private static List<String> keys(Request request) {
    List<Object> keys = bodyAs(request, List.class);
    for (Object k : keys) {
      if (!(k instanceof String)) {
        throw new InvalidArgumentException("Keys must be strings; got " + k);
      }
    }
    return (List<String>) (List<?>) keys;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("Malformed percent-encoding in key '" + s + "'", e);
    }
  }
}

package io.duro.examples;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code counter} object: a durable counter.
 *
 * <ul>
 *   <li>{@code POST /increment} → {@code {"value": n}}, the new value;
 *   <li>{@code GET /} → {@code {"value": n}}.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/counter/a/increment   # {"value":1}
 * curl localhost:8080/counter/a                     # {"value":1}
 * }</pre>
 */
public final class Counter implements DurableObject {

  private final DurableObjectState state;

  /**
   * Creates the counter.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public Counter(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/increment")) {
      if (!method.equals("POST")) {
        return HttpErrors.methodNotAllowed(method, path, "POST").completed();
      }
      long value = current() + 1;
      state.storage().put("value", value);
      return Response.json(Map.of("value", value)).completed();
    }
    if (path.equals("/")) {
      if (!method.equals("GET") && !method.equals("HEAD")) {
        return HttpErrors.methodNotAllowed(method, path, "GET").completed();
      }
      return Response.json(Map.of("value", current())).completed();
    }
    return HttpErrors.notFound(path).completed();
  }

  private long current() {
    return state.storage().get("value", Long.class).orElse(0L);
  }
}

package io.duro.examples;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.ListOptions;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code page-views} object: a cached aggregation. Events are sent to one object
 * (e.g. one per site); it keeps a durable count per page and answers "top N" from memory without
 * scanning storage.
 *
 * <ul>
 *   <li>{@code POST /view} with {@code {"page":"/pricing"}} → {@code {"page":...,"views":n}};
 *   <li>{@code GET /top?n=5} → {@code {"top":[{"page":...,"views":n},...]}} (n 1..100, default
 *       10), most viewed first, ties by page.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/page-views/site/view -d '{"page":"/pricing"}'
 * curl 'localhost:8080/page-views/site/top?n=3'
 * }</pre>
 */
public final class PageViews implements DurableObject {

  private static final int MAX_PAGE_CHARS = 512;

  private final Storage storage;
  /** The aggregate, rebuilt from storage once per activation and kept in step with it. */
  private final Map<String, Long> views = new LinkedHashMap<>();

  /**
   * Creates the aggregation and loads its counts.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public PageViews(DurableObjectState state, Env env) {
    this.storage = state.storage();
    storage
        .list(ListOptions.prefix("page:"), Long.class)
        .forEach((key, n) -> views.put(key.substring("page:".length()), n));
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/view")) {
      if (!method.equals("POST")) {
        return HttpErrors.methodNotAllowed(method, path, "POST").completed();
      }
      Object page = request.json(Map.class).get("page");
      if (!(page instanceof String p) || p.isEmpty() || p.length() > MAX_PAGE_CHARS) {
        throw new InvalidArgumentException(
            "page must be a non-empty string of at most " + MAX_PAGE_CHARS + " characters; got "
                + page);
      }
      long n = views.getOrDefault(p, 0L) + 1;
      storage.put("page:" + p, n); // durable before the answer leaves
      views.put(p, n);
      return Response.json(HttpErrors.fields("page", p, "views", n)).completed();
    }
    if (path.equals("/top")) {
      int n = top(request);
      List<Map<String, Object>> top =
          views.entrySet().stream()
              .sorted(
                  Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue)
                      .reversed()
                      .thenComparing(Map.Entry::getKey))
              .limit(n)
              .map(e -> HttpErrors.fields("page", e.getKey(), "views", e.getValue()))
              .toList();
      return Response.json(Map.of("top", top)).completed();
    }
    return HttpErrors.notFound(path).completed();
  }

  private static int top(Request request) {
    String raw = request.queryParam("n").orElse("10");
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= 100) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the error
    }
    throw new InvalidArgumentException("n must be an integer from 1 to 100; got '" + raw + "'");
  }
}

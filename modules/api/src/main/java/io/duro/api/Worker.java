package io.duro.api;

import java.util.concurrent.CompletionStage;

/**
 * User routing code in front of the objects: when the manifest names a {@code main} class, every
 * gateway request (except Duro's own {@code /_duro/...} endpoints) goes to its {@link #fetch},
 * which answers itself or forwards to an object through {@code env.namespace(...)}.
 *
 * <p>An implementation has a public no-argument constructor. Each node constructs it once, at
 * start, and calls {@code fetch} from many threads at once: keep no mutable state in fields (use an
 * object for state). {@code fetch} runs on the gateway's threads: return a stage instead of
 * blocking on one (no {@code join()} or {@code get()}). A {@code fetch} that throws, or whose stage fails with anything but a {@link
 * DuroException}, answers HTTP 500 {@code worker_error}; a {@link DuroException} (e.g. from a stub
 * call) is answered with its own code and status.
 *
 * <pre>{@code
 * public final class Router implements Worker {
 *   public CompletionStage<Response> fetch(Request request, Env env) {
 *     if (request.path().startsWith("/rooms/")) {
 *       String room = request.path().split("/")[2];
 *       return env.namespace("ROOMS").getByName(room).fetch(request.withUrl("/messages"));
 *     }
 *     return Response.text(404, "no route").completed();
 *   }
 * }
 * }</pre>
 */
public interface Worker {

  /**
   * Handles one gateway request.
   *
   * @param request the request with its full path and query, e.g. {@code /rooms/lobby?x=1}
   * @param env the application's namespaces and variables
   * @return the response, possibly completing later
   */
  CompletionStage<Response> fetch(Request request, Env env);
}

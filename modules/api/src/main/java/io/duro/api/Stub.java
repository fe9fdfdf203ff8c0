package io.duro.api;

import java.util.concurrent.CompletionStage;

/**
 * A client-side handle to one Durable Object; calls go to its single live instance wherever it
 * runs. Called from inside an object, the returned stage completes on the caller's turn.
 *
 * <pre>{@code
 * Stub counter = env.namespace("COUNTERS").getByName("visits");
 * counter.fetch(Request.post("/increment", new byte[0]))
 *     .thenApply(response -> response.json(Map.class).get("value"));
 * }</pre>
 */
public interface Stub {

  /**
   * The object's ID.
   *
   * @return the ID
   */
  DurableObjectId id();

  /**
   * Sends a request to the object.
   *
   * @param request the request; its path is what the object's {@code fetch} sees
   * @return the object's response, or a failure such as {@link OverloadedException}
   */
  CompletionStage<Response> fetch(Request request);
}

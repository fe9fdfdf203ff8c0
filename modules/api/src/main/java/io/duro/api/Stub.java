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
 *
 * <p>Typed RPC: when the object's class implements an interface whose methods return {@code
 * CompletionStage}, {@link #as(Class)} views the stub through that interface.
 *
 * <pre>{@code
 * public interface CounterApi {
 *   CompletionStage<Long> add(long delta);
 * }
 * CompletionStage<Long> value = counters.getByName("visits").as(CounterApi.class).add(1);
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

  /**
   * Views the object through a Java interface that its class implements (typed RPC). Each call of
   * an interface method is sent to the object like a request (same ordering, output gate and
   * turn rules as {@link #fetch}): its arguments and result are serialized to JSON with Jackson,
   * so they must be Jackson-serializable values (records, collections, strings, numbers).
   *
   * <p>Every method of the interface must return {@code CompletionStage<T>}, and method names
   * must be unique within it (no overloads). A call fails with {@link InvalidArgumentException}
   * when the object's class does not implement the interface or an argument cannot be read; an
   * exception thrown by the object's method fails the call like a throwing {@code fetch} does
   * (an {@link ObjectResetException} with code {@code object_error}, the object is reset) unless
   * it is a {@link DuroException}, which reaches the caller with its own code.
   *
   * <pre>{@code
   * CounterApi counter = env.namespace("COUNTERS").getByName("visits").as(CounterApi.class);
   * counter.add(5).thenApply(total -> Response.json(Map.of("total", total)));
   * }</pre>
   *
   * @param iface the interface, implemented by the object's class
   * @param <T> the interface type
   * @return a proxy whose calls go to the object
   * @throws InvalidArgumentException if {@code iface} is not an interface, a method does not
   *     return {@code CompletionStage}, or two methods share a name
   */
  <T> T as(Class<T> iface);
}

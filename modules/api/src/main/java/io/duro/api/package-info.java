/**
 * The Duro SDK: what a Durable Object class compiles against.
 *
 * <p>A Durable Object is a Java class implementing {@link io.duro.api.DurableObject}. Duro gives
 * each object a globally unique {@link io.duro.api.DurableObjectId}, exactly one live instance in
 * the cluster, single-threaded execution and strongly consistent {@link io.duro.api.Storage}.
 *
 * <pre>{@code
 * public final class Counter implements DurableObject {
 *   private final DurableObjectState state;
 *
 *   public Counter(DurableObjectState state, Env env) {
 *     this.state = state;
 *   }
 *
 *   public CompletionStage<Response> fetch(Request request) {
 *     long value = state.storage().get("value", Long.class).orElse(0L) + 1;
 *     state.storage().put("value", value);
 *     return Response.json(Map.of("value", value)).completed();
 *   }
 * }
 * }</pre>
 *
 * <p>Objects reach each other through {@link io.duro.api.Env#namespace(String)} and {@link
 * io.duro.api.Stub}: {@code fetch} for HTTP-style requests, {@link io.duro.api.Stub#as(Class)} for
 * typed RPC through an interface the object implements. A {@link io.duro.api.Worker}, named as
 * {@code main} in the application's {@code duro.json}, receives every gateway request and routes
 * it.
 *
 * <p>This package depends on the JDK only. Every failure Duro reports to user code is a
 * {@link io.duro.api.DuroException}.
 */
package io.duro.api;

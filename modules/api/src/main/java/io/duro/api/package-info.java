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
 * <p>This package depends on the JDK only. Every failure Duro reports to user code is a
 * {@link io.duro.api.DuroException}.
 */
package io.duro.api;

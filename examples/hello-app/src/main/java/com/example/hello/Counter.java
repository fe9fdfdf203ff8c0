package com.example.hello;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A durable counter, called by typed RPC ({@link CounterApi}) or over HTTP. */
public final class Counter implements DurableObject, CounterApi {
  private final DurableObjectState state;

  public Counter(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public CompletionStage<Long> increment(long by) {
    long value = state.storage().get("value", Long.class).orElse(0L) + by;
    state.storage().put("value", value); // durable before the result leaves
    return CompletableFuture.completedFuture(value);
  }

  @Override
  public CompletionStage<Long> value() {
    return CompletableFuture.completedFuture(state.storage().get("value", Long.class).orElse(0L));
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    return value().thenApply(v -> Response.json(Map.of("value", v)));
  }
}

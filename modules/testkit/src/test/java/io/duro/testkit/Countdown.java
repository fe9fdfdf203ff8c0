package io.duro.testkit;

import io.duro.api.AlarmInfo;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The object of docs/testing.md: rings once, by its alarm, some seconds after it was started. */
public final class Countdown implements DurableObject {
  private final DurableObjectState state;

  public Countdown(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    Storage storage = state.storage();
    if (request.method().equals("POST") && request.path().equals("/start")) {
      long seconds = Long.parseLong(request.queryParam("seconds").orElse("60"));
      // state.clock(), not Instant.now(): the test moves this clock
      storage.setAlarm(state.clock().instant().plusSeconds(seconds));
      storage.put("rang", false);
    }
    return Response.json(Map.of("rang", storage.get("rang", Boolean.class).orElse(false)))
        .completed();
  }

  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    state.storage().put("rang", true);
    return CompletableFuture.completedFuture(null);
  }
}

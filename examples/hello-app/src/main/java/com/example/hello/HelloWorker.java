package com.example.hello;

import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Worker;
import java.util.concurrent.CompletionStage;

/** Receives every request to the node and decides which object gets it. */
public final class HelloWorker implements Worker {
  /** A counter's value. */
  public record CounterValue(String counter, long value) {}

  /** An error answer, in Duro's error format. */
  public record Problem(String error, String message) {}

  @Override
  public CompletionStage<Response> fetch(Request request, Env env) {
    String[] parts = request.path().split("/", 4); // "", "rooms", "{name}", "{rest}"
    if (request.path().equals("/")) {
      return Response.text(env.var("GREETING").orElse("Hello") + "\n").completed();
    }
    if (parts.length >= 3 && parts[1].equals("rooms") && !parts[2].isEmpty()) {
      String rest = "/" + (parts.length == 4 ? parts[3] : "");
      return env.namespace("ROOMS").getByName(parts[2]).fetch(request.withUrl(rest));
    }
    if (parts.length == 3 && parts[1].equals("counters") && !parts[2].isEmpty()) {
      return env.namespace("COUNTERS")
          .getByName(parts[2])
          .as(CounterApi.class)
          .value()
          .thenApply(v -> Response.json(new CounterValue(parts[2], v)));
    }
    return Response.json(404, new Problem("not_found", "no route for " + request.path()))
        .completed();
  }
}

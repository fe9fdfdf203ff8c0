package com.example.hello;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** A chat room: keeps its messages and counts them with a {@link Counter} of the same name. */
public final class Room implements DurableObject {
  /** The answer to a posted message. */
  public record Posted(String room, String posted, long count) {}

  /** The messages of a room. */
  public record Messages(String room, List<String> messages, long count) {}

  private final DurableObjectState state;
  private final Env env;

  public Room(DurableObjectState state, Env env) {
    this.state = state;
    this.env = env;
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String name = state.id().name().orElse("?");
    CounterApi counter = env.namespace("COUNTERS").getByName(name).as(CounterApi.class);
    if (request.method().equals("POST") && request.path().equals("/messages")) {
      List<String> messages = messages();
      messages.add(request.text());
      state.storage().put("messages", messages);
      // A call to another object; the continuation runs on this room's turn.
      return counter
          .increment(1)
          .thenApply(n -> Response.json(new Posted(name, request.text(), n)));
    }
    if (request.method().equals("GET") && request.path().equals("/messages")) {
      return counter
          .value()
          .thenApply(n -> Response.json(new Messages(name, messages(), n)));
    }
    return Response.json(404, new HelloWorker.Problem("not_found", "no route")).completed();
  }

  @SuppressWarnings("unchecked")
  private List<String> messages() {
    return new ArrayList<>(state.storage().get("messages", List.class).orElse(List.of()));
  }
}

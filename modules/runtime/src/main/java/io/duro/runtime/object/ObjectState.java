package io.duro.runtime.object;

import io.duro.api.DurableObjectId;
import io.duro.api.DurableObjectState;
import io.duro.api.EventStream;
import io.duro.api.ObjectResetException;
import io.duro.api.Request;
import io.duro.api.Storage;
import io.duro.api.WebSocket;
import io.duro.runtime.connections.SocketTable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@link DurableObjectState} of one incarnation: what the user's instance gets. Every call
 * that changes the object checks that it runs on the object's turn; {@code blockConcurrencyWhile}
 * locks the input gate until its stage completes, and a failure there resets the object.
 */
final class ObjectState implements DurableObjectState {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ObjectState.class);

  private final Incarnation inc;
  private final Incarnation.Shell shell;

  ObjectState(Incarnation inc) {
    this.inc = inc;
    this.shell = inc.shell();
  }

  @Override
  public DurableObjectId id() {
    return shell.id();
  }

  @Override
  public Storage storage() {
    return inc.storage().storage();
  }

  @Override
  public Clock clock() {
    return shell.clock();
  }

  @Override
  public <T> CompletionStage<T> blockConcurrencyWhile(Callable<CompletionStage<T>> callback) {
    checkTurn("blockConcurrencyWhile");
    CompletableFuture<T> result = new CompletableFuture<>();
    boolean duringConstruction = inc.constructing();
    long token = inc.lock();
    shell.input().lock();
    shell.eventsRunning();
    CompletionStage<T> stage;
    try {
      stage = callback.call();
    } catch (Throwable t) {
      stage = CompletableFuture.failedFuture(t);
    }
    if (stage == null) {
      stage =
          CompletableFuture.failedFuture(
              new IllegalStateException("blockConcurrencyWhile callback returned null"));
    }
    stage.whenComplete(
        (value, error) ->
            inc.turns()
                .onTurn(
                    () -> {
                      if (!inc.unlock(token)) {
                        return; // the object was reset meanwhile
                      }
                      shell.input().unlock();
                      if (error != null) {
                        Throwable cause = Failures.unwrap(error);
                        inc.turns()
                            .requestReset(
                                new ObjectResetException(
                                    "object_error",
                                    "blockConcurrencyWhile failed in object "
                                        + shell.id()
                                        + ": "
                                        + cause
                                        + "; the object was reset",
                                    false,
                                    cause),
                                duringConstruction);
                        result.completeExceptionally(cause);
                      } else {
                        result.complete(value);
                      }
                    })
                .run());
    return result;
  }

  @Override
  public void waitUntil(CompletionStage<?> stage) {
    checkTurn("waitUntil");
    inc.backgroundTaskStarted();
    Throwable[] failure = new Throwable[1];
    // Bound now, so a completion after a reset is dropped; logs on the turn.
    Runnable done =
        inc.turns()
            .onTurn(
                () -> {
                  inc.backgroundTaskEnded();
                  if (failure[0] != null) {
                    LOG.warn(
                        "waitUntil task of object {} failed", shell.id(), Failures.unwrap(failure[0]));
                  }
                });
    stage.whenComplete(
        (value, error) -> {
          failure[0] = error;
          done.run();
        });
  }

  @Override
  public void abort(String reason) {
    checkTurn("abort");
    inc.turns()
        .requestReset(
            new ObjectResetException(
                "aborted", "Object " + shell.id() + " aborted: " + reason, false, null),
            false);
  }

  @Override
  public WebSocket acceptWebSocket(Request request, String... tags) {
    checkTurn("acceptWebSocket");
    return shell.sockets().acceptWebSocket(request, tags);
  }

  @Override
  public List<WebSocket> getWebSockets() {
    return shell.sockets().list(SocketTable.Kind.WEB_SOCKET, null);
  }

  @Override
  public List<WebSocket> getWebSockets(String tag) {
    return shell.sockets().list(SocketTable.Kind.WEB_SOCKET, tag);
  }

  @Override
  public void setWebSocketAutoResponse(String request, String response) {
    checkTurn("setWebSocketAutoResponse");
    shell.sockets().setAutoResponse(request, response);
  }

  @Override
  public Optional<Instant> getWebSocketAutoResponseTimestamp(WebSocket ws) {
    return shell.sockets().autoResponseAt(ws);
  }

  @Override
  public EventStream acceptEventStream(Request request, String... tags) {
    checkTurn("acceptEventStream");
    return shell.sockets().acceptEventStream(request, tags);
  }

  @Override
  public List<EventStream> getEventStreams(String tag) {
    return shell.sockets().list(SocketTable.Kind.EVENT_STREAM, tag);
  }

  private void checkTurn(String what) {
    if (!inc.turns().inTurn()) {
      throw new IllegalStateException(
          what + " of object " + shell.id() + " was called outside the object's turns");
    }
  }
}

package io.duro.runtime.stubs;

import io.duro.api.DurableObjectId;
import io.duro.api.DuroException;
import io.duro.api.InvalidArgumentException;
import io.duro.api.InvalidIdException;
import io.duro.api.LimitExceededException;
import io.duro.api.ObjectResetException;
import io.duro.api.OverloadedException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.UnknownBindingException;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.internal.ObjectReply;
import io.duro.runtime.internal.WireRequest;
import io.duro.runtime.object.ObjectSockets;
import io.duro.runtime.placement.ObjectAddress;
import io.duro.runtime.placement.Placement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Sends requests to objects through Cluster Sharding and turns their replies into the SDK's
 * {@link Response} or {@link DuroException}. Used by the gateway and by stubs.
 */
public final class ObjectClient {

  private static final String TYPE_PREFIX = "duro-";

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final java.util.Map<String, EntityTypeKey<ObjectCommand>> keys =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final RetryPolicy retry;
  private final Placement placement;

  /**
   * Entity references handed out before, by entity type and entity ID: making one URL-encodes the
   * ID into a path and copies strings, a cost per request that a reference (immutable, bound to
   * this node's shard region) does not need to pay twice. Cleared when full.
   */
  private final java.util.Map<String, java.util.Map<String, EntityRef<ObjectCommand>>> refs =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final java.util.concurrent.atomic.AtomicInteger rememberedRefs =
      new java.util.concurrent.atomic.AtomicInteger();

  /** At most this many references are kept; see {@link #refs}. */
  static final int MAX_REMEMBERED_REFS = 20_000;

  /**
   * Creates the client.
   *
   * @param sharding the node's sharding
   * @param askTimeout how long to wait for an object's reply before failing with "timeout"
   * @param retry retries of calls that failed while their object was handed over
   * @param placement where objects live
   */
  public ObjectClient(
      ClusterSharding sharding, Duration askTimeout, RetryPolicy retry, Placement placement) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
    this.retry = retry;
    this.placement = placement;
  }

  /**
   * Sends a request to an object, retried by the {@link RetryPolicy} when the object was being
   * handed over. A new object is placed in the region of the hint, else of this node.
   *
   * @param key the object's entity type
   * @param address the object (its region is looked up)
   * @param locationHint a region already checked by {@link Placement#checkHint}, or null
   * @param request the request
   * @return the response, or a failure with a {@link DuroException}
   */
  public CompletionStage<Response> send(
      EntityTypeKey<ObjectCommand> key,
      ObjectAddress address,
      String locationHint,
      Request request) {
    return place(address, locationHint)
        .thenCompose(placed -> retry.run(request, () -> sendOnce(key, placed, request)));
  }

  /**
   * The object placed: its address with the region it lives in.
   *
   * @param address the object
   * @param locationHint the region for a new object, or null for this node's
   * @return the address with its region; fails (retryable) when the placement cannot be read
   */
  public CompletionStage<ObjectAddress> place(ObjectAddress address, String locationHint) {
    return placement
        .region(address.namespaceKey(), address.id(), locationHint)
        .exceptionallyCompose(
            error ->
                CompletableFuture.failedFuture(
                    new ObjectResetException(
                        "unavailable",
                        "The placement of object " + address.id() + " could not be read: "
                            + (error.getCause() != null ? error.getCause() : error),
                        true,
                        error)))
        .thenApply(address::placedIn);
  }

  /**
   * The sharding entity type of a namespace's objects, named {@code duro-<namespace key>}.
   *
   * @param namespaceKey the namespace key
   * @return the entity type key
   */
  public static EntityTypeKey<ObjectCommand> typeKey(String namespaceKey) {
    return EntityTypeKey.create(ObjectCommand.class, TYPE_PREFIX + namespaceKey);
  }

  /** The namespace key of an entity type made by {@link #typeKey}. */
  static String namespaceKeyOf(EntityTypeKey<ObjectCommand> key) {
    return key.name().substring(TYPE_PREFIX.length());
  }

  /** The reference to an entity, made once while {@link #refs} has room. */
  EntityRef<ObjectCommand> entityRef(EntityTypeKey<ObjectCommand> key, String entityId) {
    java.util.Map<String, EntityRef<ObjectCommand>> ofType =
        refs.computeIfAbsent(key.name(), k -> new java.util.concurrent.ConcurrentHashMap<>());
    EntityRef<ObjectCommand> ref = ofType.get(entityId);
    if (ref == null) {
      ref = sharding.entityRefFor(key, entityId);
      if (rememberedRefs.get() >= MAX_REMEMBERED_REFS) {
        refs.clear();
        rememberedRefs.set(0);
      } else if (ofType.putIfAbsent(entityId, ref) == null) {
        rememberedRefs.incrementAndGet();
      }
    }
    return ref;
  }

  private CompletionStage<Response> sendOnce(
      EntityTypeKey<ObjectCommand> key, ObjectAddress address, Request request) {
    EntityRef<ObjectCommand> ref = entityRef(key, address.entityId());
    WireRequest.Req wire = WireRequest.Req.of(request);
    CompletableFuture<Response> result = new CompletableFuture<>();
    // Continue on the completing thread: a plain thenApply on the ask stage may run on the
    // common pool, which on 2 cores has one thread and so starts a new thread per request.
    ref.<ObjectReply>ask(replyTo -> new ObjectCommand.Deliver(wire, address, replyTo), askTimeout)
        .whenCompleteAsync(
            (reply, error) -> {
              if (error != null) {
                result.completeExceptionally(translate(error, address.id()));
              } else if (reply instanceof ObjectReply.Ok ok) {
                result.complete(ok.response().toResponse());
              } else {
                result.completeExceptionally(toException((ObjectReply.Failed) reply));
              }
            },
            Runnable::run);
    return result;
  }

  /**
   * Delivers what a client sent on a connection to the object that accepted it.
   *
   * @param namespaceKey the object's namespace
   * @param entityId the object's ID
   * @param connectionId the connection
   * @param kind the {@link io.duro.runtime.connections.Connections.EventKind} ordinal
   * @param text text, or null
   * @param data bytes, or null
   * @param code close code
   * @param reason close reason or error description
   * @param wasClean whether the close handshake completed
   * @return true once handled, false if the object does not know the connection
   */
  public CompletionStage<Boolean> sendEvent(
      String namespaceKey,
      String entityId,
      String connectionId,
      int kind,
      String text,
      byte[] data,
      int code,
      String reason,
      boolean wasClean) {
    EntityTypeKey<ObjectCommand> key =
        keys.computeIfAbsent(
            namespaceKey, ObjectClient::typeKey);
    EntityRef<ObjectCommand> ref = entityRef(key, entityId);
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    ref.<ObjectReply>ask(
            replyTo ->
                new ObjectCommand.SocketEvent(
                    connectionId, kind, text, data, code, reason, wasClean, replyTo),
            askTimeout)
        .whenCompleteAsync(
            (reply, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              } else if (reply instanceof ObjectReply.Ok ok) {
                result.complete(ok.response().status() != ObjectSockets.UNKNOWN_CONNECTION);
              } else {
                result.completeExceptionally(toException((ObjectReply.Failed) reply));
              }
            },
            Runnable::run);
    return result;
  }

  private DuroException translate(Throwable error, String objectId) {
    Throwable cause = error.getCause() != null ? error.getCause() : error;
    if (error instanceof TimeoutException || cause instanceof TimeoutException) {
      return new ObjectResetException(
          "timeout",
          "Object " + objectId + " did not answer within " + askTimeout.toMillis() + " ms",
          false,
          cause);
    }
    return new ObjectResetException(
        "unavailable", "Object " + objectId + " could not be reached: " + cause, true, cause);
  }

  /**
   * Rebuilds the exception an object's failure reply stands for.
   *
   * @param failed the reply
   * @return the exception, of the SDK type matching its code
   */
  static DuroException toException(ObjectReply.Failed failed) {
    String msg = failed.message();
    return switch (failed.code()) {
      case "overloaded" ->
          new OverloadedException(msg, Duration.ofMillis(failed.retryAfterMillis()));
      case "invalid_id" -> new InvalidIdException(msg);
      case "invalid_argument" -> new InvalidArgumentException(msg);
      case "limit_exceeded" -> new LimitExceededException("", 0, 0, msg);
      case "unknown_binding" -> new UnknownBindingException(msg);
      default -> new ObjectResetException(failed.code(), msg, failed.retryable(), null);
    };
  }
}

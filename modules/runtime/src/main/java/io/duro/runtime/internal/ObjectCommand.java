package io.duro.runtime.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.duro.runtime.object.StorageBackend;
import io.duro.runtime.placement.ObjectAddress;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of an object entity ({@link ObjectEntity}). */
public sealed interface ObjectCommand {

  /**
   * An HTTP request for the object.
   *
   * <p>On the wire it also carries the address's name as {@code objectName}, the field nodes of
   * the previous version read (and send instead of the address), so a rolling upgrade keeps
   * naming objects in both directions.
   *
   * @param request the request
   * @param address the object, as the caller's stub addressed it (null from an older node)
   * @param replyTo where the response or error goes
   */
  record Deliver(WireRequest.Req request, ObjectAddress address, ActorRef<ObjectReply> replyTo)
      implements ObjectCommand, CborSerializable {

    /**
     * Reads a request written by this version or the previous one.
     *
     * @param request the request
     * @param address the object, or null from the previous version
     * @param objectName the name, which the previous version sends alone
     * @param replyTo where the response or error goes
     * @return the request
     */
    @JsonCreator
    static Deliver read(
        @JsonProperty("request") WireRequest.Req request,
        @JsonProperty("address") ObjectAddress address,
        @JsonProperty("objectName") String objectName,
        @JsonProperty("replyTo") ActorRef<ObjectReply> replyTo) {
      return new Deliver(
          request,
          address != null || objectName == null
              ? address
              : new ObjectAddress(null, null, objectName, null),
          replyTo);
    }

    /**
     * The name the caller derived the object's ID from.
     *
     * @return the name, or null
     */
    @JsonProperty("objectName")
    public String objectName() {
      return address == null ? null : address.name();
    }
  }

  /** Sharding's stop message: finish pending writes, then stop. */
  enum Passivate implements ObjectCommand, CborSerializable {
    INSTANCE
  }

  /**
   * Passivate now, as if the object had been idle (tests simulate hibernation with it). {@code
   * replyTo} hears once the shard has begun to stop the object: every later event runs on a new
   * instance.
   *
   * @param replyTo answered then
   */
  record PassivateNow(ActorRef<org.apache.pekko.Done> replyTo)
      implements ObjectCommand, CborSerializable {}

  /** Periodic check of request time limits while requests are running. */
  enum Tick implements ObjectCommand {
    INSTANCE
  }

  /**
   * The journal actor recovered the object's storage.
   *
   * @param storage the recovered storage, for the entity's next incarnation to open
   * @param generation the journal incarnation that sent it
   */
  record Recovered(StorageBackend.Recovered storage, int generation) implements ObjectCommand {}

  /**
   * The journal actor stopped: a write or the recovery failed.
   *
   * @param generation the journal incarnation that stopped
   */
  record JournalStopped(int generation) implements ObjectCommand {}

  /**
   * The journal made the turn batches up to {@code upTo} durable.
   *
   * @param upTo the number of the last turn batch included
   * @param generation the journal incarnation that wrote it
   */
  record Persisted(long upTo, int generation) implements ObjectCommand {}

  /**
   * Code to run as a turn of the object, e.g. the completion of a stage the runtime handed to user
   * code. Dropped if the object was reset since (its incarnation is no longer the entity's).
   *
   * @param action the code
   * @param incarnation the object incarnation it belongs to
   */
  record RunInTurn(Runnable action, Object incarnation) implements ObjectCommand {}

  /** The alarm scheduler found this object's alarm (nearly) due: start, and fire it on time. */
  enum WakeUp implements ObjectCommand, CborSerializable {
    INSTANCE
  }

  /** The object's alarm timer fired. */
  enum AlarmDue implements ObjectCommand {
    INSTANCE
  }

  /**
   * The alarm index row written before persisting an alarm change is committed (or failed).
   *
   * @param generation the journal incarnation it was written for
   * @param floorMillis the time written
   * @param error the failure, or null
   */
  record IndexWritten(int generation, long floorMillis, Throwable error) implements ObjectCommand {}

  /**
   * The alarm index row of a recovered object was read: it carries the retry state of an alarm
   * whose runs failed before the object was passivated or its node stopped.
   *
   * @param generation the journal incarnation it was read for
   * @param retryCount failed runs so far (0 when there is no row)
   * @param dueAtMillis the row's time (0 when there is no row)
   */
  record AlarmStateLoaded(int generation, int retryCount, long dueAtMillis)
      implements ObjectCommand {}

  /**
   * What a client sent on a WebSocket or event stream the object accepted.
   *
   * @param connectionId the connection
   * @param kind the {@link io.duro.runtime.connections.Connections.EventKind} ordinal
   * @param text text, or null
   * @param data bytes, or null
   * @param code close code
   * @param reason close reason or error description
   * @param wasClean whether the close handshake completed
   * @param replyTo answered once handled
   */
  record SocketEvent(
      String connectionId,
      int kind,
      String text,
      byte[] data,
      int code,
      String reason,
      boolean wasClean,
      ActorRef<ObjectReply> replyTo)
      implements ObjectCommand, CborSerializable {}
}

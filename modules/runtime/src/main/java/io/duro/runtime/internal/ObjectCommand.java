package io.duro.runtime.internal;

import io.duro.storage.StoredEntries;
import org.apache.pekko.actor.typed.ActorRef;

/** The protocol of an object entity ({@link ObjectEntity}). */
public sealed interface ObjectCommand {

  /**
   * An HTTP request for the object.
   *
   * @param request the request
   * @param objectName the name the caller derived the object's ID from, or null
   * @param replyTo where the response or error goes
   */
  record Deliver(WireRequest.Req request, String objectName, ActorRef<ObjectReply> replyTo)
      implements ObjectCommand, CborSerializable {}

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
   * @param entries a copy of the recovered storage, owned by the entity from now on
   * @param generation the journal incarnation that sent it
   */
  record Recovered(StoredEntries entries, int generation) implements ObjectCommand {}

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
   * code. Dropped if the object was reset since ({@code generation} differs).
   *
   * @param action the code
   * @param generation the object incarnation it belongs to
   */
  record RunInTurn(Runnable action, int generation) implements ObjectCommand {}

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
   * @param kind the {@link io.duro.runtime.Connections.EventKind} ordinal
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

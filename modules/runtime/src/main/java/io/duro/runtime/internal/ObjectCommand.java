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
}

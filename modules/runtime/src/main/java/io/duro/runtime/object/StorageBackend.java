package io.duro.runtime.object;

import io.duro.runtime.internal.ObjectCommand;
import io.duro.storage.StorageHost;
import io.duro.storage.TurnStorage;
import io.duro.storage.WriteBatch;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The seam between an object's entity and whatever keeps the object's storage: the entity runs
 * turns against a {@link TurnStorage} and hands their writes to a {@link Journal}; how storage is
 * recovered and made durable is the backend's. A second backend (SQLite-backed objects) is a
 * second implementation of this interface; the entity does not change.
 *
 * <p>A backend answers the entity with its protocol, each answer tagged with the journal's
 * generation: {@link ObjectCommand.Recovered} once the storage is recovered, {@link
 * ObjectCommand.Persisted} for each durable write, {@link ObjectCommand.JournalStopped} when the
 * journal stopped (a failed recovery or write, or {@link Journal#stop}).
 */
public interface StorageBackend {

  /** Makes the storage backend of each object. */
  @FunctionalInterface
  interface Factory {

    /**
     * The backend of one object.
     *
     * @param entity the object's entity, which the backend answers
     * @param namespaceKey the object's namespace
     * @param objectId the object's ID (64 hex digits)
     * @return the backend
     */
    StorageBackend create(ActorContext<ObjectCommand> entity, String namespaceKey, String objectId);
  }

  /** An object's storage as recovered, before an incarnation opens it. */
  interface Recovered {

    /**
     * The durable alarm.
     *
     * @return epoch milliseconds, or null
     */
    Long alarmEpochMillis();

    /**
     * Opens the recovered storage as the live storage of a new incarnation (once).
     *
     * @param host the incarnation's access check and durability hook
     * @return the live storage
     */
    TurnStorage open(StorageHost host);
  }

  /** One journal incarnation: it recovers the object, then writes its batches in order. */
  interface Journal {

    /**
     * Writes one batch; {@link ObjectCommand.Persisted} with {@code upTo} answers it.
     *
     * @param batch the writes
     * @param upTo the number of the newest turn in it
     */
    void persist(WriteBatch batch, long upTo);

    /** Stops the journal; {@link ObjectCommand.JournalStopped} answers once it has. */
    void stop();
  }

  /**
   * Starts a journal incarnation, which recovers the object's storage.
   *
   * @param generation echoed in every answer
   * @return the journal
   */
  Journal start(int generation);
}

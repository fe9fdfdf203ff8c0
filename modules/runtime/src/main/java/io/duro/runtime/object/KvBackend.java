package io.duro.runtime.object;

import io.duro.runtime.internal.ObjectCommand;
import io.duro.storage.ObjectStorage;
import io.duro.storage.StorageHost;
import io.duro.storage.StorageLimits;
import io.duro.storage.StoredEntries;
import io.duro.storage.TurnStorage;
import io.duro.storage.ValueCodec;
import io.duro.storage.WriteBatch;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The key-value backend: the object's whole storage in memory ({@link ObjectStorage}), made
 * durable by an event-sourced child actor ({@link ObjectJournal}) per journal incarnation.
 */
public final class KvBackend implements StorageBackend {

  private final ActorContext<ObjectCommand> entity;
  private final PersistenceId persistenceId;
  private final int snapshotEvery;
  private final StorageLimits limits;
  private final ValueCodec codec;

  private KvBackend(
      ActorContext<ObjectCommand> entity,
      PersistenceId persistenceId,
      int snapshotEvery,
      StorageLimits limits,
      ValueCodec codec) {
    this.entity = entity;
    this.persistenceId = persistenceId;
    this.snapshotEvery = snapshotEvery;
    this.limits = limits;
    this.codec = codec;
  }

  /**
   * The factory of key-value backends.
   *
   * @param snapshotEvery events between snapshots
   * @param limits the storage limits
   * @param codec the value codec
   * @return the factory
   */
  public static Factory factory(int snapshotEvery, StorageLimits limits, ValueCodec codec) {
    return (entity, namespaceKey, objectId) ->
        new KvBackend(
            entity, PersistenceId.of(namespaceKey, objectId, "|"), snapshotEvery, limits, codec);
  }

  @Override
  public Journal start(int generation) {
    ActorRef<ObjectJournal.Persist> journal =
        entity.spawn(
            ObjectJournal.create(
                persistenceId,
                entity.getSelf(),
                generation,
                snapshotEvery,
                entries -> new Image(entries, limits, codec)),
            "journal-" + generation);
    entity.watchWith(journal, new ObjectCommand.JournalStopped(generation));
    ActorRef<ObjectCommand> self = entity.getSelf();
    return new Journal() {
      @Override
      public void persist(WriteBatch batch, long upTo) {
        journal.tell(new ObjectJournal.Persist(batch, upTo, self));
      }

      @Override
      public void stop() {
        entity.stop(journal);
      }
    };
  }

  /** A recovered image of the storage, opened as an {@link ObjectStorage}. */
  private record Image(StoredEntries entries, StorageLimits limits, ValueCodec codec)
      implements Recovered {
    @Override
    public Long alarmEpochMillis() {
      return entries.alarmEpochMillis();
    }

    @Override
    public TurnStorage open(StorageHost host) {
      return new ObjectStorage(entries, limits, codec, host);
    }
  }
}

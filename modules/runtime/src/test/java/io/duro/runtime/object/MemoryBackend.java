package io.duro.runtime.object;

import io.duro.storage.ObjectStorage;
import io.duro.storage.StorageHost;
import io.duro.storage.StorageLimits;
import io.duro.storage.StoredEntries;
import io.duro.storage.TurnStorage;
import io.duro.storage.ValueCodec;
import io.duro.storage.WriteBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * A storage backend for tests of the object core: the journal is a list in memory, and a write
 * becomes durable only when the test says so ({@link #confirm}). A second implementation of the
 * seam beside the key-value backend, so the units are tested against the seam, not the actor.
 */
final class MemoryBackend implements StorageBackend {

  /** A write handed to the journal, not yet confirmed. */
  record Write(WriteBatch batch, long upTo) {}

  private final StoredEntries durable = StoredEntries.empty();
  final List<Write> inFlight = new ArrayList<>();
  final List<Integer> started = new ArrayList<>();
  int stopped;

  @Override
  public Journal start(int generation) {
    started.add(generation);
    return new Journal() {
      @Override
      public void persist(WriteBatch batch, long upTo) {
        inFlight.add(new Write(batch, upTo));
      }

      @Override
      public void stop() {
        stopped++;
      }
    };
  }

  /**
   * What the journal recovers now: every confirmed write.
   *
   * @return the recovered storage
   */
  Recovered recover() {
    StoredEntries copy = durable.copy();
    return new Recovered() {
      @Override
      public Long alarmEpochMillis() {
        return copy.alarmEpochMillis();
      }

      @Override
      public TurnStorage open(StorageHost host) {
        return new ObjectStorage(copy, StorageLimits.DEFAULT, ValueCodec.create(), host);
      }
    };
  }

  /**
   * Makes the oldest write durable.
   *
   * @return it
   */
  Write confirm() {
    Write w = inFlight.remove(0);
    durable.apply(w.batch());
    return w;
  }
}

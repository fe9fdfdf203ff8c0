package io.duro.storage;

import io.duro.api.Storage;

/**
 * One object's storage as the runtime drives it, whatever keeps it: user code reads and writes
 * through {@link #storage()}, and at the end of each turn the runtime takes the turn's writes
 * ({@link #drainTurn()}) to make them durable, or undoes them ({@link #rollbackTurn()}) when the
 * turn failed. The runtime's object core sees only this interface, so a second backend (a SQL
 * database per object) plugs in beside {@link ObjectStorage} without changing it.
 */
public interface TurnStorage {

  /**
   * What user code gets as {@code state.storage()}.
   *
   * @return the storage API
   */
  Storage storage();

  /**
   * Takes the writes of the turn that just ended: the net change, applied already to what
   * {@link #storage()} reads.
   *
   * @return the batch, empty when the turn wrote nothing
   */
  WriteBatch drainTurn();

  /** Undoes every write of the turn in progress. */
  void rollbackTurn();
}

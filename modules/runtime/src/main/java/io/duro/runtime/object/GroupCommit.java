package io.duro.runtime.object;

import io.duro.storage.WriteBatch;

/**
 * Group commit of one object incarnation: the writes of every turn that runs while a journal
 * write is in flight are merged into one pending batch, written as the next journal event once
 * the one in flight is confirmed. Turns never wait for the journal.
 *
 * <p>Each turn that wrote gets the next number; a batch carries the number of its newest turn,
 * which the journal echoes back when the batch is durable (the output gate releases by it). At
 * most one batch is in flight. Plain Java, confined to the object's actor thread.
 */
final class GroupCommit {

  /**
   * A batch to write now.
   *
   * @param batch the merged writes
   * @param upTo the number of the newest turn in it
   */
  record Flush(WriteBatch batch, long upTo) {}

  private long turns;
  private WriteBatch pending;
  private long pendingUpTo;
  private WriteBatch inFlight;

  /**
   * Adds one turn's writes to the pending batch.
   *
   * @param batch the turn's writes
   * @return the turn's number, or 0 when it wrote nothing
   */
  long add(WriteBatch batch) {
    if (batch.isEmpty()) {
      return 0;
    }
    turns++;
    pending = pending == null ? batch : pending.mergedWith(batch);
    pendingUpTo = turns;
    return turns;
  }

  /**
   * The number of the newest turn that wrote.
   *
   * @return the number, 0 before the first
   */
  long lastTurn() {
    return turns;
  }

  /**
   * The writes waiting for the next journal write.
   *
   * @return the pending batch, or null
   */
  WriteBatch pending() {
    return pending;
  }

  /**
   * Takes the pending batch to write, if there is one and nothing is in flight.
   *
   * @return the batch and its newest turn, or null
   */
  Flush take() {
    if (inFlight != null || pending == null) {
      return null;
    }
    inFlight = pending;
    pending = null;
    return new Flush(inFlight, pendingUpTo);
  }

  /**
   * The batch in flight was written.
   *
   * @return it
   */
  WriteBatch written() {
    WriteBatch done = inFlight;
    inFlight = null;
    return done;
  }

  /**
   * Whether a batch is being written.
   *
   * @return true while one is in flight
   */
  boolean inFlight() {
    return inFlight != null;
  }

  /**
   * Whether every write is durable.
   *
   * @return true when nothing is pending or in flight
   */
  boolean idle() {
    return inFlight == null && pending == null;
  }
}

package io.duro.runtime.internal;

import io.duro.storage.WriteBatch;

/**
 * The journal's wire format: the event and snapshot types of an object's storage. The class names
 * are stored with every row, so never rename or move one without a Jackson migration.
 */
public final class Events {

  private Events() {}

  /**
   * The writes of one or more turns, persisted together (group commit).
   *
   * @param batch the merged writes
   */
  public record TurnsCommitted(WriteBatch batch) implements CborSerializable {}

  /**
   * A snapshot of an object's storage: the compact image of {@code StoredEntries}.
   *
   * @param image the bytes of {@code StoredEntries.toBytes()}
   */
  public record StorageSnapshot(byte[] image) implements CborSerializable {}
}

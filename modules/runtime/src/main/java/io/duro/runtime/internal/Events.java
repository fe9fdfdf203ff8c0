package io.duro.runtime.internal;

import io.duro.storage.WriteBatch;

/**
 * The journal's wire format: the event and snapshot types of an object's storage, written by
 * {@link JournalSerializer} (manifests {@code T1}, {@code S1}). Rows that Jackson wrote before it
 * store the class names, and duro-runtime-defaults.conf allows Jackson this class's name as a
 * prefix, so never rename or move one without a Jackson migration.
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

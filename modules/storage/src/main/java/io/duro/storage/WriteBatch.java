package io.duro.storage;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The writes of one or more turns, immutable: the unit the journal persists.
 *
 * <p>Applying a batch means: if {@code cleared}, remove every key and the alarm; then remove the
 * {@code deletes}; then write the {@code puts}; then, if {@code alarmChanged}, set the alarm to
 * {@code alarmEpochMillis} (null = none). A key is never in both {@code puts} and {@code deletes}
 * (the constructor rejects that). A cleared batch always has {@code alarmChanged} (the constructor
 * normalizes it), so {@code alarmChanged} alone tells whether the alarm changed. {@code confirmed}
 * says that at least one write was made without {@code allowUnconfirmed}, so the batch holds the
 * output gate. Keys are kept in {@link Utf8Order}; the record serializes with plain Jackson (JSON
 * or CBOR), {@code byte[]} values included. Values are never mutated and may be shared.
 *
 * @param cleared whether a {@code deleteAll} came first
 * @param puts written keys and their encoded values
 * @param deletes deleted keys
 * @param alarmChanged whether the alarm was set or deleted
 * @param alarmEpochMillis the new alarm in epoch milliseconds, or null for none
 * @param confirmed whether the batch holds the output gate
 */
public record WriteBatch(
    boolean cleared,
    Map<String, byte[]> puts,
    Set<String> deletes,
    boolean alarmChanged,
    Long alarmEpochMillis,
    boolean confirmed) {

  /** No writes at all. */
  public static final WriteBatch EMPTY =
      new WriteBatch(false, Map.of(), Set.of(), false, null, false);

  static final int ENTRY_OVERHEAD_BYTES = 8;

  /** Copies the collections (sorted, unmodifiable) and checks the invariants. */
  public WriteBatch {
    TreeMap<String, byte[]> sortedPuts = new TreeMap<>(Utf8Order.COMPARATOR);
    if (puts != null) {
      for (Map.Entry<String, byte[]> e : puts.entrySet()) {
        sortedPuts.put(
            Objects.requireNonNull(e.getKey(), "put key"),
            Objects.requireNonNull(e.getValue(), "put value"));
      }
    }
    TreeSet<String> sortedDeletes = new TreeSet<>(Utf8Order.COMPARATOR);
    if (deletes != null) {
      for (String key : deletes) {
        sortedDeletes.add(Objects.requireNonNull(key, "deleted key"));
        if (sortedPuts.containsKey(key)) {
          throw new IllegalArgumentException(
              "A key cannot be both put and deleted in one batch: \"" + key + "\".");
        }
      }
    }
    puts = Collections.unmodifiableSortedMap(sortedPuts);
    deletes = Collections.unmodifiableSortedSet(sortedDeletes);
    if (cleared && !alarmChanged) {
      alarmChanged = true;
      alarmEpochMillis = null;
    }
    if (!alarmChanged) {
      alarmEpochMillis = null;
    }
  }

  /**
   * Whether applying this batch changes nothing ({@code confirmed} alone does not count).
   *
   * @return true when there are no writes
   */
  @JsonIgnore
  public boolean isEmpty() {
    return !cleared && puts.isEmpty() && deletes.isEmpty() && !alarmChanged;
  }

  /**
   * Group commit: one batch whose application equals applying this one and then {@code later}.
   *
   * @param later the batch that follows this one
   * @return the merged batch; confirmed when either is
   */
  public WriteBatch mergedWith(WriteBatch later) {
    boolean confirmedEither = confirmed || later.confirmed;
    if (later.cleared) {
      return new WriteBatch(
          true,
          later.puts,
          later.deletes,
          later.alarmChanged,
          later.alarmEpochMillis,
          confirmedEither);
    }
    if (isEmpty()) {
      return later.withConfirmed(confirmedEither);
    }
    if (later.isEmpty()) {
      return withConfirmed(confirmedEither);
    }
    TreeMap<String, byte[]> mergedPuts = new TreeMap<>(Utf8Order.COMPARATOR);
    mergedPuts.putAll(puts);
    mergedPuts.keySet().removeAll(later.deletes);
    mergedPuts.putAll(later.puts);
    TreeSet<String> mergedDeletes = new TreeSet<>(Utf8Order.COMPARATOR);
    mergedDeletes.addAll(deletes);
    mergedDeletes.removeAll(later.puts.keySet());
    mergedDeletes.addAll(later.deletes);
    boolean laterAlarm = later.alarmChanged;
    return new WriteBatch(
        cleared,
        mergedPuts,
        mergedDeletes,
        alarmChanged || laterAlarm,
        laterAlarm ? later.alarmEpochMillis : alarmEpochMillis,
        confirmedEither);
  }

  private WriteBatch withConfirmed(boolean value) {
    return value == confirmed
        ? this
        : new WriteBatch(cleared, puts, deletes, alarmChanged, alarmEpochMillis, value);
  }

  /**
   * A rough size of the batch in bytes (keys' UTF-8, values, a small overhead per entry), for
   * deciding when a group commit or snapshot is due.
   *
   * @return the estimate, at most {@link Integer#MAX_VALUE}
   */
  public int approximateBytes() {
    long bytes = ENTRY_OVERHEAD_BYTES;
    for (Map.Entry<String, byte[]> e : puts.entrySet()) {
      bytes += Utf8Order.utf8Length(e.getKey()) + e.getValue().length + ENTRY_OVERHEAD_BYTES;
    }
    for (String key : deletes) {
      bytes += Utf8Order.utf8Length(key) + ENTRY_OVERHEAD_BYTES;
    }
    return (int) Math.min(bytes, Integer.MAX_VALUE);
  }

  private static final byte FORMAT_VERSION = 1;
  private static final int CLEARED = 1;
  private static final int ALARM_CHANGED = 2;
  private static final int HAS_ALARM = 4;
  private static final int CONFIRMED = 8;

  /**
   * A compact binary image, the journal's form of a batch: format version byte, a flags byte
   * (cleared 1, alarm changed 2, alarm present 4, confirmed 8), the alarm in epoch milliseconds
   * when present, the put count and each put's key and value, the delete count and each deleted
   * key; keys in {@link Utf8Order} as UTF-8, keys and values prefixed by their length. It is a
   * fraction of the size of the Jackson form and reads without reflection.
   *
   * @return the image
   */
  public byte[] toBytes() {
    byte[][] putKeys = BinaryImage.utf8Keys(puts.keySet());
    byte[][] deletedKeys = BinaryImage.utf8Keys(deletes);
    long size = 1 + 1 + (alarmEpochMillis != null ? 8 : 0) + 4;
    size += BinaryImage.entriesBytes(putKeys, puts.values());
    for (byte[] key : deletedKeys) {
      size += BinaryImage.entryBytes(key, null);
    }
    ByteBuffer out = BinaryImage.allocate(size, "Write batch image");
    out.put(FORMAT_VERSION);
    out.put(
        (byte)
            ((cleared ? CLEARED : 0)
                | (alarmChanged ? ALARM_CHANGED : 0)
                | (alarmEpochMillis != null ? HAS_ALARM : 0)
                | (confirmed ? CONFIRMED : 0)));
    if (alarmEpochMillis != null) {
      out.putLong(alarmEpochMillis);
    }
    BinaryImage.putEntries(out, putKeys, puts.values());
    out.putInt(deletedKeys.length);
    for (byte[] key : deletedKeys) {
      BinaryImage.putBytes(out, key);
    }
    return out.array();
  }

  /**
   * Reads an image made by {@link #toBytes()}.
   *
   * @param image the image
   * @return the batch, equal to the one written
   * @throws IllegalArgumentException if the image is corrupt, truncated, of an unknown version, or
   *     has bytes left over
   */
  public static WriteBatch fromBytes(byte[] image) {
    BinaryImage.Reader in = new BinaryImage.Reader(image, "Write batch image");
    in.version(FORMAT_VERSION);
    int flags = in.getByte("flags");
    if ((flags & ~(CLEARED | ALARM_CHANGED | HAS_ALARM | CONFIRMED)) != 0
        || ((flags & HAS_ALARM) != 0 && (flags & ALARM_CHANGED) == 0)) {
      throw new IllegalArgumentException(
          "Write batch image is corrupt: flags " + flags + " at offset 1.");
    }
    Long alarm = (flags & HAS_ALARM) != 0 ? in.getLong("alarm") : null;
    int putCount = in.count("put count", 8);
    // in key order already (checked); the constructor makes the sorted copy
    Map<String, byte[]> puts = new LinkedHashMap<>();
    String previous = null;
    for (int i = 0; i < putCount; i++) {
      previous = in.keyAfter(previous, "put key", i);
      puts.put(previous, in.bytes("value", i));
    }
    int deleteCount = in.count("delete count", 4);
    Set<String> deleted = new LinkedHashSet<>();
    previous = null;
    for (int i = 0; i < deleteCount; i++) {
      previous = in.keyAfter(previous, "deleted key", i);
      deleted.add(previous);
    }
    in.end("last deleted key");
    return new WriteBatch(
        (flags & CLEARED) != 0,
        puts,
        deleted,
        (flags & ALARM_CHANGED) != 0,
        alarm,
        (flags & CONFIRMED) != 0);
  }

  /** Equal when every component is, comparing values by content. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof WriteBatch)) {
      return false;
    }
    WriteBatch other = (WriteBatch) o;
    if (cleared != other.cleared
        || alarmChanged != other.alarmChanged
        || confirmed != other.confirmed
        || !Objects.equals(alarmEpochMillis, other.alarmEpochMillis)
        || !deletes.equals(other.deletes)
        || puts.size() != other.puts.size()) {
      return false;
    }
    for (Map.Entry<String, byte[]> e : puts.entrySet()) {
      if (!Arrays.equals(e.getValue(), other.puts.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(cleared, deletes, alarmChanged, alarmEpochMillis, confirmed);
    for (Map.Entry<String, byte[]> e : puts.entrySet()) {
      h += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("WriteBatch[");
    if (cleared) {
      s.append("cleared, ");
    }
    s.append("puts=").append(puts.keySet());
    s.append(", deletes=").append(deletes);
    if (alarmChanged) {
      s.append(", alarm=").append(alarmEpochMillis);
    }
    return s.append(confirmed ? ", confirmed]" : ", unconfirmed]").toString();
  }
}

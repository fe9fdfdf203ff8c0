package io.duro.storage;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The image of one object's storage: keys in {@link Utf8Order} mapped to encoded values, plus the
 * alarm.
 *
 * <p>Mutable and not thread-safe: confined to one actor (the runtime's journal, or the live
 * {@link ObjectStorage} that owns it). It keeps {@link #totalBytes()} (keys' UTF-8 bytes plus
 * value bytes) exact under every change. Values are never mutated, so copies may share them.
 * {@link #toBytes()} and {@link #fromBytes} round-trip exactly; {@link #fromBytes} rejects a
 * corrupt or truncated image rather than returning a partial one.
 */
public final class StoredEntries {

  private static final byte FORMAT_VERSION = 1;

  private TreeMap<String, byte[]> map;
  private Long alarmEpochMillis;
  private long totalBytes;

  private StoredEntries(TreeMap<String, byte[]> map, Long alarmEpochMillis, long totalBytes) {
    this.map = map;
    this.alarmEpochMillis = alarmEpochMillis;
    this.totalBytes = totalBytes;
  }

  /**
   * An image with no keys and no alarm.
   *
   * @return a new empty image
   */
  public static StoredEntries empty() {
    return new StoredEntries(new TreeMap<>(Utf8Order.COMPARATOR), null, 0);
  }

  /**
   * Applies a batch: clear (keys and alarm) if {@code cleared}, then deletes, then puts, then the
   * alarm change.
   *
   * @param batch the writes
   */
  public void apply(WriteBatch batch) {
    if (batch.cleared()) {
      map.clear();
      totalBytes = 0;
      alarmEpochMillis = null;
    }
    for (String key : batch.deletes()) {
      putOrRemove(key, null);
    }
    for (Map.Entry<String, byte[]> e : batch.puts().entrySet()) {
      putOrRemove(e.getKey(), e.getValue());
    }
    if (batch.alarmChanged()) {
      alarmEpochMillis = batch.alarmEpochMillis();
    }
  }

  /**
   * The {@link WriteBatch#approximateBytes() approximate size} of {@link #toImageBatch()}, in
   * constant time.
   *
   * @return the estimate in bytes
   */
  public long approximateImageBytes() {
    return totalBytes + (long) WriteBatch.ENTRY_OVERHEAD_BYTES * (map.size() + 1);
  }

  /**
   * A batch that makes any storage equal to this image: cleared, then every entry and the alarm.
   * The journal writes one in place of a small object's changes, so that recovering the object
   * needs only its newest events, from the last such batch on.
   *
   * @return the batch (not confirmed)
   */
  public WriteBatch toImageBatch() {
    return new WriteBatch(true, map, Set.of(), true, alarmEpochMillis, false);
  }

  /**
   * An independent copy: later changes to either do not affect the other (values are shared).
   *
   * @return the copy
   */
  public StoredEntries copy() {
    return new StoredEntries(new TreeMap<>(map), alarmEpochMillis, totalBytes);
  }

  /**
   * A read-only view of the current entries in {@link Utf8Order}. A live {@link ObjectStorage}
   * replaces its map on {@code deleteAll}, so take a fresh view rather than keeping one.
   *
   * @return the entries
   */
  public NavigableMap<String, byte[]> entries() {
    return Collections.unmodifiableNavigableMap(map);
  }

  /**
   * The alarm.
   *
   * @return epoch milliseconds, or null when none is set
   */
  public Long alarmEpochMillis() {
    return alarmEpochMillis;
  }

  /**
   * The stored size: every key's UTF-8 bytes plus every value's bytes.
   *
   * @return the size in bytes
   */
  public long totalBytes() {
    return totalBytes;
  }

  /**
   * A compact binary image for snapshots: format version byte, alarm (presence byte, then epoch
   * milliseconds), entry count, then each key and value as a length-prefixed byte string (keys in
   * UTF-8), in key order.
   *
   * @return the image
   */
  public byte[] toBytes() {
    byte[][] keys = BinaryImage.utf8Keys(map.keySet());
    long size = 1 + 1 + (alarmEpochMillis != null ? 8 : 0);
    size += BinaryImage.entriesBytes(keys, map.values());
    ByteBuffer out = BinaryImage.allocate(size, "Storage image");
    out.put(FORMAT_VERSION);
    out.put((byte) (alarmEpochMillis != null ? 1 : 0));
    if (alarmEpochMillis != null) {
      out.putLong(alarmEpochMillis);
    }
    BinaryImage.putEntries(out, keys, map.values());
    return out.array();
  }

  /**
   * Reads an image made by {@link #toBytes()}.
   *
   * @param image the image
   * @return the entries
   * @throws IllegalArgumentException if the image is corrupt, truncated, of an unknown version, or
   *     has bytes left over
   */
  public static StoredEntries fromBytes(byte[] image) {
    BinaryImage.Reader in = new BinaryImage.Reader(image, "Storage image");
    in.version(FORMAT_VERSION);
    byte hasAlarm = in.getByte("alarm flag");
    Long alarm = null;
    if (hasAlarm == 1) {
      alarm = in.getLong("alarm");
    } else if (hasAlarm != 0) {
      throw new IllegalArgumentException(
          "Storage image is corrupt: alarm flag is " + hasAlarm + " at offset 1.");
    }
    int count = in.count("entry count", 8);
    TreeMap<String, byte[]> map = new TreeMap<>(Utf8Order.COMPARATOR);
    long total = 0;
    String previous = null;
    for (int i = 0; i < count; i++) {
      int keyStart = in.position();
      String key = in.keyAfter(previous, "key", i);
      int keyLength = in.position() - keyStart - 4;
      byte[] value = in.bytes("value", i);
      map.put(key, value);
      total += keyLength + value.length;
      previous = key;
    }
    in.end("last entry");
    return new StoredEntries(map, alarm, total);
  }

  // ---- package-private operations used by the live ObjectStorage ----

  byte[] get(String key) {
    return map.get(key);
  }

  NavigableMap<String, byte[]> map() {
    return map;
  }

  /** Writes ({@code value != null}) or removes a key, keeping the byte count exact. */
  void putOrRemove(String key, byte[] value) {
    byte[] old = value == null ? map.remove(key) : map.put(key, value);
    int keyBytes = -1;
    if (old != null) {
      keyBytes = Utf8Order.utf8Length(key);
      totalBytes -= keyBytes + old.length;
    }
    if (value != null) {
      totalBytes += (keyBytes < 0 ? Utf8Order.utf8Length(key) : keyBytes) + value.length;
    }
  }

  void setAlarm(Long epochMillis) {
    alarmEpochMillis = epochMillis;
  }

  /** The state {@link #detachAll()} removed, to be put back by {@link #reattach}. */
  record Detached(TreeMap<String, byte[]> map, Long alarmEpochMillis, long totalBytes) {}

  /** Removes every key and the alarm in O(1), returning what was there. */
  Detached detachAll() {
    Detached detached = new Detached(map, alarmEpochMillis, totalBytes);
    map = new TreeMap<>(Utf8Order.COMPARATOR);
    alarmEpochMillis = null;
    totalBytes = 0;
    return detached;
  }

  /** Puts back, in O(1), exactly what {@link #detachAll()} returned. */
  void reattach(Detached detached) {
    map = detached.map();
    alarmEpochMillis = detached.alarmEpochMillis();
    totalBytes = detached.totalBytes();
  }
}

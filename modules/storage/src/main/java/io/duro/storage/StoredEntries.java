package io.duro.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
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
    int sizeHint = (int) Math.min(totalBytes + 8L * map.size() + 16, 1 << 30);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      out.writeBoolean(alarmEpochMillis != null);
      if (alarmEpochMillis != null) {
        out.writeLong(alarmEpochMillis);
      }
      out.writeInt(map.size());
      for (Map.Entry<String, byte[]> e : map.entrySet()) {
        byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(e.getValue().length);
        out.write(e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: in-memory stream
    }
    return bytes.toByteArray();
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
    if (image == null) {
      throw new IllegalArgumentException("Storage image is null.");
    }
    ByteBuffer in = ByteBuffer.wrap(image);
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    need(in, 2, "header");
    byte version = in.get();
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "Storage image has format version "
              + version
              + "; only "
              + FORMAT_VERSION
              + " is known.");
    }
    byte hasAlarm = in.get();
    Long alarm = null;
    if (hasAlarm == 1) {
      need(in, 8, "alarm");
      alarm = in.getLong();
    } else if (hasAlarm != 0) {
      throw new IllegalArgumentException(
          "Storage image is corrupt: alarm flag is " + hasAlarm + " at offset 1.");
    }
    need(in, 4, "entry count");
    int count = in.getInt();
    if (count < 0) {
      throw new IllegalArgumentException("Storage image is corrupt: entry count " + count + ".");
    }
    TreeMap<String, byte[]> map = new TreeMap<>(Utf8Order.COMPARATOR);
    long total = 0;
    String previous = null;
    for (int i = 0; i < count; i++) {
      int keyLength = length(in, "key", i);
      int keyStart = in.position();
      String key;
      try {
        key = utf8.decode(in.slice().limit(keyLength)).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException(
            "Storage image is corrupt: key " + i + " at offset " + keyStart + " is not UTF-8.", e);
      }
      in.position(keyStart + keyLength);
      if (previous != null && Utf8Order.COMPARATOR.compare(previous, key) >= 0) {
        throw new IllegalArgumentException(
            "Storage image is corrupt: key " + i + " at offset " + keyStart + " is out of order.");
      }
      int valueLength = length(in, "value", i);
      byte[] value = new byte[valueLength];
      in.get(value);
      map.put(key, value);
      total += keyLength + valueLength;
      previous = key;
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(
          "Storage image is corrupt: " + in.remaining() + " bytes after the last entry.");
    }
    return new StoredEntries(map, alarm, total);
  }

  private static int length(ByteBuffer in, String what, int index) {
    need(in, 4, what + " length of entry " + index);
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException(
          "Storage image is truncated or corrupt: the "
              + what
              + " of entry "
              + index
              + " claims "
              + length
              + " bytes but "
              + in.remaining()
              + " remain.");
    }
    return length;
  }

  private static void need(ByteBuffer in, int bytes, String what) {
    if (in.remaining() < bytes) {
      throw new IllegalArgumentException(
          "Storage image is truncated: the "
              + what
              + " needs "
              + bytes
              + " bytes at offset "
              + in.position()
              + " but "
              + in.remaining()
              + " remain.");
    }
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

package io.duro.storage;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * The pieces of Duro's binary images ({@link StoredEntries#toBytes}, {@link WriteBatch#toBytes}):
 * big-endian integers, and keys and values as byte strings prefixed by their length (an int; keys
 * in UTF-8). A {@link Reader} rejects a truncated or corrupt image with a message that names the
 * image, the part and its offset, instead of returning part of it.
 */
final class BinaryImage {

  private BinaryImage() {}

  /**
   * The bytes a key and value take in an image.
   *
   * @param key the key's UTF-8 bytes
   * @param value the value, or null for a key alone
   * @return the bytes
   */
  static int entryBytes(byte[] key, byte[] value) {
    return 4 + key.length + (value == null ? 0 : 4 + value.length);
  }

  /**
   * The UTF-8 bytes of every key, in the collection's order.
   *
   * @param keys the keys (a map's key set, a set of deleted keys)
   * @return one array per key
   */
  static byte[][] utf8Keys(Collection<String> keys) {
    byte[][] bytes = new byte[keys.size()][];
    int i = 0;
    for (String key : keys) {
      bytes[i++] = key.getBytes(StandardCharsets.UTF_8);
    }
    return bytes;
  }

  /**
   * The bytes that {@link #putEntries} writes.
   *
   * @param keys the keys' UTF-8 bytes
   * @param values the values, in the keys' order
   * @return the bytes, the count included
   */
  static long entriesBytes(byte[][] keys, Iterable<byte[]> values) {
    long size = 4;
    int i = 0;
    for (byte[] value : values) {
      size += entryBytes(keys[i++], value);
    }
    return size;
  }

  /**
   * Writes the entry count, then each key and its value.
   *
   * @param out the image being written
   * @param keys the keys' UTF-8 bytes
   * @param values the values, in the keys' order
   */
  static void putEntries(ByteBuffer out, byte[][] keys, Iterable<byte[]> values) {
    out.putInt(keys.length);
    int i = 0;
    for (byte[] value : values) {
      putBytes(out, keys[i++]);
      putBytes(out, value);
    }
  }

  /**
   * A buffer for an image of {@code size} bytes.
   *
   * @param size the image's size
   * @param kind the image's name in the error
   * @return the buffer
   * @throws IllegalStateException if no byte array can hold it
   */
  static ByteBuffer allocate(long size, String kind) {
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException(kind + " of " + size + " bytes is too large.");
    }
    return ByteBuffer.allocate((int) size);
  }

  /**
   * Writes a length-prefixed byte string.
   *
   * @param out the image being written
   * @param bytes the string
   */
  static void putBytes(ByteBuffer out, byte[] bytes) {
    out.putInt(bytes.length);
    out.put(bytes);
  }

  /** Reads one image, naming it ({@code kind}) in every error. */
  static final class Reader {

    private final ByteBuffer in;
    private final String kind;
    private final CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /**
     * Starts at the image's first byte.
     *
     * @param image the bytes
     * @param kind the image's name in messages, e.g. "Storage image"
     * @throws IllegalArgumentException if the image is null
     */
    Reader(byte[] image, String kind) {
      if (image == null) {
        throw new IllegalArgumentException(kind + " is null.");
      }
      this.in = ByteBuffer.wrap(image);
      this.kind = kind;
    }

    /** Reads the format version byte and checks it is {@code known}. */
    void version(byte known) {
      need(1, "format version");
      byte version = in.get();
      if (version != known) {
        throw new IllegalArgumentException(
            kind + " has format version " + version + "; only " + known + " is known.");
      }
    }

    byte getByte(String what) {
      need(1, what);
      return in.get();
    }

    long getLong(String what) {
      need(8, what);
      return in.getLong();
    }

    /** A count of entries: not negative, and each needs at least {@code minBytesEach} bytes. */
    int count(String what, int minBytesEach) {
      need(4, what);
      int count = in.getInt();
      if (count < 0 || (long) count * minBytesEach > in.remaining()) {
        throw new IllegalArgumentException(
            kind + " is truncated or corrupt: the " + what + " is " + count + " with "
                + in.remaining() + " bytes left.");
      }
      return count;
    }

    /** A UTF-8 key; {@code index} numbers it in messages. */
    private String key(String what, int index) {
      int length = length(what, index);
      int start = in.position();
      String key;
      try {
        key = utf8.decode(in.slice().limit(length)).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException(
            kind + " is corrupt: " + what + " " + index + " at offset " + start
                + " is not UTF-8.", e);
      }
      in.position(start + length);
      return key;
    }

    /** A key that must sort after {@code previous} (null for the first). */
    String keyAfter(String previous, String what, int index) {
      int start = in.position();
      String key = key(what, index);
      if (previous != null && Utf8Order.COMPARATOR.compare(previous, key) >= 0) {
        throw new IllegalArgumentException(
            kind + " is corrupt: " + what + " " + index + " at offset " + start
                + " is out of order.");
      }
      return key;
    }

    /** A length-prefixed byte string. */
    byte[] bytes(String what, int index) {
      byte[] value = new byte[length(what, index)];
      in.get(value);
      return value;
    }

    /** Checks that nothing follows the last part. */
    void end(String last) {
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(
            kind + " is corrupt: " + in.remaining() + " bytes after the " + last + ".");
      }
    }

    int position() {
      return in.position();
    }

    private int length(String what, int index) {
      need(4, what + " length of entry " + index);
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw new IllegalArgumentException(
            kind + " is truncated or corrupt: the " + what + " of entry " + index + " claims "
                + length + " bytes but " + in.remaining() + " remain.");
      }
      return length;
    }

    private void need(int bytes, String what) {
      if (in.remaining() < bytes) {
        throw new IllegalArgumentException(
            kind + " is truncated: the " + what + " needs " + bytes + " bytes at offset "
                + in.position() + " but " + in.remaining() + " remain.");
      }
    }
  }
}

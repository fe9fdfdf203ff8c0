package io.duro.storage;

import io.duro.api.InvalidArgumentException;
import io.duro.api.LimitExceededException;

/**
 * The configurable limits of one object's storage; {@link #DEFAULT} holds Cloudflare's figures.
 *
 * <p>Every limit is checked by {@link ObjectStorage} before anything is written, and a broken
 * limit throws {@link LimitExceededException} whose message names the limit, the size given and
 * the way out. Storage size counts each key's UTF-8 bytes plus each value's stored bytes (its
 * serialized form plus a one-byte tag).
 *
 * @param maxKeyBytes largest key, in UTF-8 bytes (default 2048, as Cloudflare)
 * @param maxValueBytes largest value, serialized (default 131072, as Cloudflare)
 * @param maxKeysPerCall most keys in one {@code get}/{@code put}/{@code delete} call (default 128,
 *     as Cloudflare)
 * @param maxStorageBytes most bytes one object may store (default 64 MiB; Duro keeps an active
 *     object's whole storage in memory)
 * @param maxAlarmHorizonMillis how far ahead of now an alarm may be set (default 3650 days)
 */
public record StorageLimits(
    int maxKeyBytes,
    int maxValueBytes,
    int maxKeysPerCall,
    long maxStorageBytes,
    long maxAlarmHorizonMillis) {

  /** Default alarm horizon: 3650 days. */
  public static final long DEFAULT_ALARM_HORIZON_MILLIS = 3650L * 24 * 3600 * 1000;

  /** Key 2048 bytes, value 131072 bytes, 128 keys per call, 64 MiB per object, 3650 days. */
  public static final StorageLimits DEFAULT = new StorageLimits(2048, 131072, 128, 64L << 20);

  /**
   * Limits with the default alarm horizon.
   *
   * @param maxKeyBytes largest key
   * @param maxValueBytes largest value
   * @param maxKeysPerCall most keys per call
   * @param maxStorageBytes most bytes per object
   */
  public StorageLimits(
      int maxKeyBytes, int maxValueBytes, int maxKeysPerCall, long maxStorageBytes) {
    this(maxKeyBytes, maxValueBytes, maxKeysPerCall, maxStorageBytes, DEFAULT_ALARM_HORIZON_MILLIS);
  }

  private static final int ABBREVIATED_KEY_CHARS = 40;

  /** Rejects limits that are not positive. */
  public StorageLimits {
    requirePositive("maxKeyBytes", maxKeyBytes);
    requirePositive("maxValueBytes", maxValueBytes);
    requirePositive("maxKeysPerCall", maxKeysPerCall);
    requirePositive("maxStorageBytes", maxStorageBytes);
    requirePositive("maxAlarmHorizonMillis", maxAlarmHorizonMillis);
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive; " + value + " was given.");
    }
  }

  /**
   * Validates a key and returns its UTF-8 length.
   *
   * @throws InvalidArgumentException if the key is null or not valid Unicode
   * @throws LimitExceededException if the key is too long
   */
  int checkKey(String key) {
    if (key == null) {
      throw new InvalidArgumentException("Keys cannot be null.");
    }
    int bytes = Utf8Order.utf8Length(key);
    if (bytes > maxKeyBytes) {
      throw new LimitExceededException(
          "key size",
          bytes,
          maxKeyBytes,
          "Keys cannot be larger than "
              + maxKeyBytes
              + " bytes; a key of "
              + bytes
              + " bytes was given.");
    }
    int bad = Utf8Order.firstUnpairedSurrogate(key);
    if (bad >= 0) {
      throw new InvalidArgumentException(
          "Keys must be valid Unicode; the key "
              + quote(key)
              + " has an unpaired surrogate at index "
              + bad
              + ".");
    }
    return bytes;
  }

  /** Checks the serialized size of the value for {@code key}. */
  void checkValueSize(String key, int bytes) {
    if (bytes > maxValueBytes) {
      throw new LimitExceededException(
          "value size",
          bytes,
          maxValueBytes,
          "Values cannot be larger than "
              + maxValueBytes
              + " bytes serialized; the value for key "
              + quote(key)
              + " is "
              + bytes
              + " bytes. Split it across several keys.");
    }
  }

  /** Checks the number of distinct keys given to one call. */
  void checkKeysPerCall(int count) {
    if (count > maxKeysPerCall) {
      throw new LimitExceededException(
          "keys per call",
          count,
          maxKeysPerCall,
          "At most "
              + maxKeysPerCall
              + " keys can be given in one call; "
              + count
              + " were given. Split the call into batches of "
              + maxKeysPerCall
              + ".");
    }
  }

  /** Checks that growing storage from {@code current} by {@code delta} bytes stays in bounds. */
  void checkStorage(long current, long delta) {
    long after = current + delta;
    if (delta > 0 && after > maxStorageBytes) {
      throw new LimitExceededException(
          "storage per object",
          after,
          maxStorageBytes,
          "An object's storage cannot be larger than "
              + maxStorageBytes
              + " bytes; this write would make it "
              + after
              + " bytes. Delete unused keys first.");
    }
  }

  /** The key in quotes, abbreviated to its first characters when long. */
  static String quote(String key) {
    if (key.length() <= ABBREVIATED_KEY_CHARS) {
      return "\"" + key + "\"";
    }
    int cut = ABBREVIATED_KEY_CHARS;
    if (Character.isHighSurrogate(key.charAt(cut - 1))) {
      cut--;
    }
    return "\"" + key.substring(0, cut) + "…\"";
  }
}

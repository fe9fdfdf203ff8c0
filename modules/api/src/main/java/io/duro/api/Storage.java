package io.duro.api;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * An object's private, strongly consistent key-value storage.
 *
 * <p>Keys are strings, values any Jackson-serializable Java value or a raw {@code byte[]}. Reads
 * are served from memory and return at once. Writes apply to the in-memory view at once (later
 * reads see them) and become durable at the end of the turn; the turn's response leaves only once
 * they are (the output gate). All writes of one turn are atomic.
 *
 * <p>Limits (defaults, all configurable): key at most 2048 bytes of UTF-8; value at most 131072
 * bytes serialized; at most 128 keys per call. A call that breaks a limit throws {@link
 * LimitExceededException} and writes nothing. Storage may only be used from the object's own
 * turns; a call from another thread throws {@link IllegalStateException}.
 *
 * <pre>{@code
 * Storage storage = state.storage();
 * long visits = storage.get("visits", Long.class).orElse(0L);
 * storage.put("visits", visits + 1);
 * Map<String, String> names = storage.list(ListOptions.prefix("user:"), String.class);
 * }</pre>
 */
public interface Storage {

  /**
   * Reads one value.
   *
   * @param key the key
   * @param type the value's class ({@code byte[].class} for raw bytes)
   * @param <T> the value type
   * @return the value, or empty when the key is absent
   * @throws LimitExceededException if the key is longer than the key size limit
   * @throws InvalidArgumentException if the stored value cannot be read as {@code type}
   */
  <T> Optional<T> get(String key, Class<T> type);

  /**
   * Reads one value with options.
   *
   * @param key the key
   * @param type the value's class
   * @param options storage options
   * @param <T> the value type
   * @return the value, or empty when the key is absent
   */
  <T> Optional<T> get(String key, Class<T> type, StorageOptions options);

  /**
   * Reads several values.
   *
   * @param keys at most 128 keys (duplicates count once)
   * @param type the values' class
   * @param <T> the value type
   * @return the present keys with their values, in key order
   * @throws LimitExceededException if more than 128 keys are given
   */
  <T> Map<String, T> get(Collection<String> keys, Class<T> type);

  /**
   * Writes one value.
   *
   * @param key the key, at most 2048 bytes of UTF-8
   * @param value a non-null Jackson-serializable value or {@code byte[]}, at most 131072 bytes
   *     serialized
   * @throws LimitExceededException if the key or value is too large, or the object's storage would
   *     exceed its limit
   * @throws InvalidArgumentException if the value is null or cannot be serialized
   */
  void put(String key, Object value);

  /**
   * Writes one value with options.
   *
   * @param key the key
   * @param value the value
   * @param options storage options ({@code allowUnconfirmed} applies)
   */
  void put(String key, Object value, StorageOptions options);

  /**
   * Writes several values atomically: either all or, if any breaks a limit, none.
   *
   * @param entries at most 128 entries
   * @throws LimitExceededException if there are more than 128 entries or one is too large
   */
  void put(Map<String, ?> entries);

  /**
   * Writes several values with options.
   *
   * @param entries at most 128 entries
   * @param options storage options
   */
  void put(Map<String, ?> entries, StorageOptions options);

  /**
   * Deletes one key.
   *
   * @param key the key
   * @return whether the key existed
   */
  boolean delete(String key);

  /**
   * Deletes one key with options.
   *
   * @param key the key
   * @param options storage options
   * @return whether the key existed
   */
  boolean delete(String key, StorageOptions options);

  /**
   * Deletes several keys.
   *
   * @param keys at most 128 keys
   * @return how many of them existed
   */
  int delete(Collection<String> keys);

  /**
   * Deletes several keys with options.
   *
   * @param keys at most 128 keys
   * @param options storage options
   * @return how many of them existed
   */
  int delete(Collection<String> keys, StorageOptions options);

  /**
   * Lists entries in UTF-8 byte order of their keys.
   *
   * @param options range, prefix, order and limit
   * @param type the values' class
   * @param <T> the value type
   * @return the entries, in list order
   * @throws InvalidArgumentException if the options are contradictory or the limit is not positive
   */
  <T> Map<String, T> list(ListOptions options, Class<T> type);

  /**
   * Lists every entry, ascending.
   *
   * @param type the values' class
   * @param <T> the value type
   * @return the entries
   */
  <T> Map<String, T> list(Class<T> type);

  /** Deletes every key and the alarm, atomically. */
  void deleteAll();

  /**
   * Deletes every key and the alarm, with options.
   *
   * @param options storage options
   */
  void deleteAll(StorageOptions options);

  /**
   * Runs {@code closure} as an all-or-nothing unit: if it throws, or calls {@link
   * Transaction#rollback()}, every write it made is discarded. Transactions may nest.
   *
   * @param closure the work, given a view of this storage
   * @param <T> the result type
   * @return what the closure returned
   */
  <T> T transaction(Function<Transaction, T> closure);

  /**
   * The object's alarm time.
   *
   * @return the alarm, or empty when none is set
   */
  Optional<Instant> getAlarm();

  /**
   * Sets (or replaces) the object's single alarm; part of the turn's atomic write batch.
   *
   * @param at when it should fire; a time in the past fires as soon as possible
   */
  void setAlarm(Instant at);

  /**
   * Sets the alarm with options.
   *
   * @param at when it should fire
   * @param options storage options
   */
  void setAlarm(Instant at, StorageOptions options);

  /** Removes the alarm, if any. */
  void deleteAlarm();

  /**
   * Removes the alarm with options.
   *
   * @param options storage options
   */
  void deleteAlarm(StorageOptions options);

  /**
   * Completes, on the object's turn, once every write made so far is durable.
   *
   * @return the completion
   */
  CompletionStage<Void> sync();
}

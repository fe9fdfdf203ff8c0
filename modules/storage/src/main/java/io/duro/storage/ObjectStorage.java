package io.duro.storage;

import io.duro.api.InvalidArgumentException;
import io.duro.api.ListOptions;
import io.duro.api.Storage;
import io.duro.api.StorageOptions;
import io.duro.api.Transaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The {@link Storage} user code gets as {@code state.storage()}: validates, serializes, applies
 * each write to the live in-memory map at once and records it in the turn's write buffer.
 *
 * <p>Guarantees: every public {@link Storage} method first calls {@link StorageHost#checkAccess()};
 * reads see every earlier write (read-your-writes); a call that breaks a limit or gets a bad
 * argument throws before anything is written, so {@code put(Map)} and {@code delete(Collection)}
 * are all-or-nothing; {@link #drainTurn()} returns the turn's net writes (each key once, with its
 * last value); {@link #rollbackTurn()} and transactions restore the live map, alarm, byte count
 * and write buffer exactly, using an undo log (a transaction's savepoint is a position in it;
 * {@code deleteAll} is undone in O(1)). Not thread-safe: confined to the object's turns.
 *
 * <pre>{@code
 * ObjectStorage storage = new ObjectStorage(StoredEntries.empty(), StorageLimits.DEFAULT,
 *     ValueCodec.create(), host);
 * storage.put("visits", 1L);
 * WriteBatch batch = storage.drainTurn(); // persisted by the runtime's journal
 * }</pre>
 */
public final class ObjectStorage implements Storage, TurnStorage {

  private final StoredEntries live;
  private final StorageLimits limits;
  private final ValueCodec codec;
  private final StorageHost host;
  /** Reverts the turn's writes, newest last; cleared by {@link #drainTurn()}. */
  private final ArrayList<Undo> undoLog = new ArrayList<>();

  private TurnBuffer buffer = new TurnBuffer(false, false);
  private int openTransactions;

  /**
   * Creates the facade.
   *
   * @param initial the object's stored image; this facade takes ownership of it as the live map
   * @param limits the limits to enforce
   * @param codec the value codec
   * @param host the runtime's access check and durability hook
   */
  public ObjectStorage(
      StoredEntries initial, StorageLimits limits, ValueCodec codec, StorageHost host) {
    this.live = Objects.requireNonNull(initial, "initial");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.host = Objects.requireNonNull(host, "host");
  }

  // ---- runtime surface ----

  /**
   * This facade itself: it is the storage API user code gets.
   *
   * @return this
   */
  @Override
  public Storage storage() {
    return this;
  }

  /**
   * The writes made since the last drain or rollback, and starts a new turn buffer.
   *
   * @return the turn's batch, or {@link WriteBatch#EMPTY} when nothing was written
   * @throws IllegalStateException inside a transaction closure
   */
  @Override
  public WriteBatch drainTurn() {
    if (openTransactions > 0) {
      throw new IllegalStateException("drainTurn() cannot be called inside a transaction.");
    }
    WriteBatch batch = buffer.toBatch();
    buffer = new TurnBuffer(false, false);
    undoLog.clear();
    return batch;
  }

  /**
   * Undoes every write since the last drain (keys, alarm, byte count), as if none had happened.
   */
  @Override
  public void rollbackTurn() {
    revertTo(0);
    buffer = new TurnBuffer(false, false);
  }

  /**
   * The live storage size: keys' UTF-8 bytes plus stored value bytes.
   *
   * @return the size in bytes
   */
  public long totalBytes() {
    return live.totalBytes();
  }

  // ---- reads ----

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    return get(key, type, StorageOptions.DEFAULT);
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type, StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    requireType(type);
    limits.checkKey(key);
    byte[] value = live.get(key);
    return value == null ? Optional.empty() : Optional.of(decode(key, value, type));
  }

  @Override
  public <T> Map<String, T> get(Collection<String> keys, Class<T> type) {
    host.checkAccess();
    requireType(type);
    TreeSet<String> distinct = distinctKeys(keys);
    Map<String, T> result = new LinkedHashMap<>();
    for (String key : distinct) {
      byte[] value = live.get(key);
      if (value != null) {
        result.put(key, decode(key, value, type));
      }
    }
    return result;
  }

  @Override
  public <T> Map<String, T> list(ListOptions options, Class<T> type) {
    host.checkAccess();
    requireType(type);
    ListSelection.validate(options);
    NavigableMap<String, byte[]> range = ListSelection.select(live.map(), options);
    if (options.reverse()) {
      range = range.descendingMap();
    }
    int remaining = options.limit() == null ? Integer.MAX_VALUE : options.limit();
    Map<String, T> result = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : range.entrySet()) {
      if (remaining-- == 0) {
        break;
      }
      result.put(e.getKey(), decode(e.getKey(), e.getValue(), type));
    }
    return result;
  }

  @Override
  public <T> Map<String, T> list(Class<T> type) {
    return list(ListOptions.ALL, type);
  }

  @Override
  public Optional<Instant> getAlarm() {
    host.checkAccess();
    Long alarm = live.alarmEpochMillis();
    return alarm == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(alarm));
  }

  // ---- writes ----

  @Override
  public void put(String key, Object value) {
    put(key, value, StorageOptions.DEFAULT);
  }

  @Override
  public void put(String key, Object value, StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    int keyBytes = limits.checkKey(key);
    byte[] encoded = encode(key, value);
    limits.checkValueSize(key, encoded.length - 1);
    limits.checkStorage(live.totalBytes(), sizeDelta(key, keyBytes, encoded));
    writeKey(key, encoded, confirming(options));
  }

  @Override
  public void put(Map<String, ?> entries) {
    put(entries, StorageOptions.DEFAULT);
  }

  @Override
  public void put(Map<String, ?> entries, StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    if (entries == null) {
      throw new InvalidArgumentException("The map of entries cannot be null.");
    }
    limits.checkKeysPerCall(entries.size());
    String[] keys = new String[entries.size()];
    byte[][] values = new byte[entries.size()][];
    long delta = 0;
    int i = 0;
    for (Map.Entry<String, ?> e : entries.entrySet()) {
      String key = e.getKey();
      int keyBytes = limits.checkKey(key);
      byte[] encoded = encode(key, e.getValue());
      limits.checkValueSize(key, encoded.length - 1);
      delta += sizeDelta(key, keyBytes, encoded);
      keys[i] = key;
      values[i] = encoded;
      i++;
    }
    limits.checkStorage(live.totalBytes(), delta);
    boolean confirming = confirming(options);
    for (int j = 0; j < i; j++) {
      writeKey(keys[j], values[j], confirming);
    }
  }

  @Override
  public boolean delete(String key) {
    return delete(key, StorageOptions.DEFAULT);
  }

  @Override
  public boolean delete(String key, StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    limits.checkKey(key);
    boolean existed = live.get(key) != null;
    writeKey(key, null, confirming(options));
    return existed;
  }

  @Override
  public int delete(Collection<String> keys) {
    return delete(keys, StorageOptions.DEFAULT);
  }

  @Override
  public int delete(Collection<String> keys, StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    TreeSet<String> distinct = distinctKeys(keys);
    boolean confirming = confirming(options);
    int existed = 0;
    for (String key : distinct) {
      if (live.get(key) != null) {
        existed++;
      }
      writeKey(key, null, confirming);
    }
    return existed;
  }

  @Override
  public void deleteAll() {
    deleteAll(StorageOptions.DEFAULT);
  }

  @Override
  public void deleteAll(StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    StoredEntries.Detached detached = live.detachAll();
    TurnBuffer before = buffer;
    buffer = new TurnBuffer(true, before.confirmed || confirming(options));
    undoLog.add(
        () -> {
          live.reattach(detached);
          buffer = before;
        });
  }

  @Override
  public void setAlarm(Instant at) {
    setAlarm(at, StorageOptions.DEFAULT);
  }

  @Override
  public void setAlarm(Instant at, StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    if (at == null) {
      throw new InvalidArgumentException(
          "The alarm time cannot be null; use deleteAlarm() to remove the alarm.");
    }
    long millis;
    try {
      millis = at.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(
          "The alarm time " + at + " is out of range; give a time within ±292 million years.", e);
    }
    if (millis < 0) {
      throw new InvalidArgumentException(
          "The alarm time " + at + " is before 1970-01-01T00:00:00Z; give a later time.");
    }
    long horizon = host.currentTimeMillis() + limits.maxAlarmHorizonMillis();
    if (millis > horizon) {
      throw new InvalidArgumentException(
          "The alarm time "
              + at
              + " is more than "
              + limits.maxAlarmHorizonMillis() / 86_400_000L
              + " days ahead (limit duro.runtime.alarms.max-horizon); give an earlier time.");
    }
    writeAlarm(millis, confirming(options));
  }

  @Override
  public void deleteAlarm() {
    deleteAlarm(StorageOptions.DEFAULT);
  }

  @Override
  public void deleteAlarm(StorageOptions options) {
    host.checkAccess();
    requireOptions(options);
    writeAlarm(null, confirming(options));
  }

  @Override
  public <T> T transaction(Function<Transaction, T> closure) {
    host.checkAccess();
    if (closure == null) {
      throw new InvalidArgumentException("The transaction closure cannot be null.");
    }
    TransactionView txn = new TransactionView(this, undoLog.size());
    openTransactions++;
    try {
      T result = closure.apply(txn);
      if (txn.rolledBack) {
        revertTo(txn.savepoint);
      }
      return result;
    } catch (Throwable t) {
      revertTo(txn.savepoint);
      throw t;
    } finally {
      txn.active = false;
      openTransactions--;
    }
  }

  @Override
  public CompletionStage<Void> sync() {
    host.checkAccess();
    return host.sync();
  }

  // ---- internals ----

  /** The runtime's access check (transactions make it before anything else). */
  void checkAccess() {
    host.checkAccess();
  }

  /** Applies one key write to the live map and the buffer, logging how to revert it. */
  private void writeKey(String key, byte[] value, boolean confirming) {
    byte[] previousValue = live.get(key);
    byte[] previousPut = buffer.puts.get(key);
    boolean previouslyDeleted = buffer.deletes.contains(key);
    boolean previouslyConfirmed = buffer.confirmed;
    undoLog.add(
        () -> {
          live.putOrRemove(key, previousValue);
          if (previousPut != null) {
            buffer.puts.put(key, previousPut);
          } else {
            buffer.puts.remove(key);
          }
          if (previouslyDeleted) {
            buffer.deletes.add(key);
          } else {
            buffer.deletes.remove(key);
          }
          buffer.confirmed = previouslyConfirmed;
        });
    live.putOrRemove(key, value);
    if (value == null) {
      buffer.puts.remove(key);
      buffer.deletes.add(key);
    } else {
      buffer.deletes.remove(key);
      buffer.puts.put(key, value);
    }
    buffer.confirmed |= confirming;
  }

  private void writeAlarm(Long epochMillis, boolean confirming) {
    Long previousAlarm = live.alarmEpochMillis();
    boolean previouslyChanged = buffer.alarmChanged;
    Long previousBuffered = buffer.alarm;
    boolean previouslyConfirmed = buffer.confirmed;
    undoLog.add(
        () -> {
          live.setAlarm(previousAlarm);
          buffer.alarmChanged = previouslyChanged;
          buffer.alarm = previousBuffered;
          buffer.confirmed = previouslyConfirmed;
        });
    live.setAlarm(epochMillis);
    buffer.alarmChanged = true;
    buffer.alarm = epochMillis;
    buffer.confirmed |= confirming;
  }

  /** Undoes every write after {@code savepoint}, a position in the undo log (transactions). */
  void revertTo(int savepoint) {
    for (int i = undoLog.size() - 1; i >= savepoint; i--) {
      undoLog.remove(i).revert();
    }
  }

  private long sizeDelta(String key, int keyBytes, byte[] encoded) {
    byte[] old = live.get(key);
    return keyBytes + encoded.length - (old == null ? 0 : keyBytes + old.length);
  }

  /** Validates a key collection: not null, no null keys, not too many distinct keys, each valid. */
  private TreeSet<String> distinctKeys(Collection<String> keys) {
    if (keys == null) {
      throw new InvalidArgumentException("The collection of keys cannot be null.");
    }
    TreeSet<String> distinct = new TreeSet<>(Utf8Order.COMPARATOR);
    for (String key : keys) {
      if (key == null) {
        throw new InvalidArgumentException("Keys cannot be null.");
      }
      distinct.add(key);
    }
    limits.checkKeysPerCall(distinct.size());
    for (String key : distinct) {
      limits.checkKey(key);
    }
    return distinct;
  }

  private byte[] encode(String key, Object value) {
    try {
      return codec.encode(value);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException(
          "Cannot store key " + StorageLimits.quote(key) + ": " + e.getMessage(), e.getCause());
    }
  }

  private <T> T decode(String key, byte[] value, Class<T> type) {
    try {
      return codec.decode(value, type);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException(
          "Cannot read key " + StorageLimits.quote(key) + ": " + e.getMessage(), e.getCause());
    }
  }

  private static void requireType(Class<?> type) {
    if (type == null) {
      throw new InvalidArgumentException(
          "The value type cannot be null; pass e.g. String.class or byte[].class.");
    }
  }

  private static void requireOptions(StorageOptions options) {
    if (options == null) {
      throw new InvalidArgumentException(
          "Storage options cannot be null; use StorageOptions.DEFAULT.");
    }
  }

  private static boolean confirming(StorageOptions options) {
    return !options.allowUnconfirmed();
  }

  /** One reversible step of the undo log. */
  @FunctionalInterface
  private interface Undo {
    void revert();
  }

}

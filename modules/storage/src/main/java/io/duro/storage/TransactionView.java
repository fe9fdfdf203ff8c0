package io.duro.storage;

import io.duro.api.ListOptions;
import io.duro.api.StorageOptions;
import io.duro.api.Transaction;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The {@link Transaction} given to a closure: delegates to the storage while its closure runs,
 * and throws {@link IllegalStateException} once it has returned.
 */
final class TransactionView implements Transaction {
  private final ObjectStorage storage;
  final int savepoint;
  boolean active = true;
  boolean rolledBack;

  TransactionView(ObjectStorage storage, int savepoint) {
    this.storage = storage;
    this.savepoint = savepoint;
  }

  private ObjectStorage storage() {
    if (!active) {
      throw new IllegalStateException(
          "This Transaction was used after its closure returned; use the storage instead.");
    }
    return storage;
  }

  @Override
  public void rollback() {
    storage.checkAccess();
    storage();
    rolledBack = true;
    storage.revertTo(savepoint);
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    return storage().get(key, type);
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type, StorageOptions options) {
    return storage().get(key, type, options);
  }

  @Override
  public <T> Map<String, T> get(Collection<String> keys, Class<T> type) {
    return storage().get(keys, type);
  }

  @Override
  public void put(String key, Object value) {
    storage().put(key, value);
  }

  @Override
  public void put(String key, Object value, StorageOptions options) {
    storage().put(key, value, options);
  }

  @Override
  public void put(Map<String, ?> entries) {
    storage().put(entries);
  }

  @Override
  public void put(Map<String, ?> entries, StorageOptions options) {
    storage().put(entries, options);
  }

  @Override
  public boolean delete(String key) {
    return storage().delete(key);
  }

  @Override
  public boolean delete(String key, StorageOptions options) {
    return storage().delete(key, options);
  }

  @Override
  public int delete(Collection<String> keys) {
    return storage().delete(keys);
  }

  @Override
  public int delete(Collection<String> keys, StorageOptions options) {
    return storage().delete(keys, options);
  }

  @Override
  public <T> Map<String, T> list(ListOptions options, Class<T> type) {
    return storage().list(options, type);
  }

  @Override
  public <T> Map<String, T> list(Class<T> type) {
    return storage().list(type);
  }

  @Override
  public void deleteAll() {
    storage().deleteAll();
  }

  @Override
  public void deleteAll(StorageOptions options) {
    storage().deleteAll(options);
  }

  @Override
  public <T> T transaction(Function<Transaction, T> closure) {
    return storage().transaction(closure);
  }

  @Override
  public Optional<Instant> getAlarm() {
    return storage().getAlarm();
  }

  @Override
  public void setAlarm(Instant at) {
    storage().setAlarm(at);
  }

  @Override
  public void setAlarm(Instant at, StorageOptions options) {
    storage().setAlarm(at, options);
  }

  @Override
  public void deleteAlarm() {
    storage().deleteAlarm();
  }

  @Override
  public void deleteAlarm(StorageOptions options) {
    storage().deleteAlarm(options);
  }

  @Override
  public CompletionStage<Void> sync() {
    return storage().sync();
  }
}

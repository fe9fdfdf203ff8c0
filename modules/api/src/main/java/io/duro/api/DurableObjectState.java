package io.duro.api;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * What an object is given about itself: its ID, its storage and control over its concurrency.
 *
 * <pre>{@code
 * public Room(DurableObjectState state, Env env) {
 *   this.state = state;
 *   // no event reaches the object until the members are loaded
 *   state.blockConcurrencyWhile(() -> {
 *     members = state.storage().list(ListOptions.prefix("member:"), String.class);
 *     return CompletableFuture.completedFuture(null);
 *   });
 * }
 * }</pre>
 */
public interface DurableObjectState {

  /**
   * This object's ID.
   *
   * @return the ID
   */
  DurableObjectId id();

  /**
   * This object's storage.
   *
   * @return the storage
   */
  Storage storage();

  /**
   * Runs {@code callback} and delivers no other event to the object until the stage it returns
   * completes (results of calls the callback is waiting for still arrive).
   *
   * @param callback the work
   * @param <T> its result type
   * @return completes, on the object's turn, with the callback's result
   */
  <T> CompletionStage<T> blockConcurrencyWhile(Callable<CompletionStage<T>> callback);

  /**
   * Keeps the object from passivating until {@code stage} completes. Failures are logged.
   *
   * @param stage background work
   */
  void waitUntil(CompletionStage<?> stage);

  /**
   * Resets the object: pending requests fail with {@link ObjectResetException} (code {@code
   * "aborted"}), writes not yet durable are discarded, and the next event recreates the object
   * from durable storage.
   *
   * @param reason why, for the log and the failed callers
   */
  void abort(String reason);
}

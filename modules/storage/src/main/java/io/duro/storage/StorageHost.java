package io.duro.storage;

import java.util.concurrent.CompletionStage;

/**
 * What the runtime gives {@link ObjectStorage}: an access check and durability notification.
 *
 * <p>Guarantees expected from an implementation: {@link #checkAccess()} throws {@link
 * IllegalStateException} whenever storage is used outside the object's own turn, and {@link
 * #sync()} completes on the object's turn once every write made so far is durable.
 */
public interface StorageHost {

  /**
   * Verifies that the caller runs on the object's own turn.
   *
   * @throws IllegalStateException when called outside the object's own turn (e.g. from a foreign
   *     thread)
   */
  void checkAccess();

  /**
   * Completes, on the object's turn, once every write made so far is durable.
   *
   * @return the completion
   */
  CompletionStage<Void> sync();

  /**
   * The current time in milliseconds, by the runtime's clock (the system clock unless a test
   * replaced it): the alarm horizon is measured from it.
   *
   * @return milliseconds since the epoch
   */
  default long currentTimeMillis() {
    return System.currentTimeMillis();
  }
}

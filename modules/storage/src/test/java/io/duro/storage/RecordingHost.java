package io.duro.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link StorageHost} test double: counts calls, and treats the thread that created it as the
 * object's turn, so a call from any other thread fails as it would in the runtime.
 */
final class RecordingHost implements StorageHost {
  private final Thread owner = Thread.currentThread();
  final CompletableFuture<Void> syncResult = new CompletableFuture<>();
  int accessChecks;
  int syncs;

  @Override
  public void checkAccess() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("Storage used outside the object's turn.");
    }
    accessChecks++;
  }

  @Override
  public CompletionStage<Void> sync() {
    syncs++;
    return syncResult;
  }
}

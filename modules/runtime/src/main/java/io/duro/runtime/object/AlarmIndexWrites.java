package io.duro.runtime.object;

import io.duro.runtime.alarms.AlarmIndex;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One object's writes to the durable alarm index, run one after another in the order they were
 * asked for (a later write never overtakes an earlier one), whatever incarnation asked. A failed
 * write is logged; the caller that needs its outcome (the floor before a batch) gets it.
 */
final class AlarmIndexWrites {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(AlarmIndexWrites.class);

  private final AlarmIndex index;
  private final String namespace;
  private final String objectId;
  private CompletionStage<Void> chain = CompletableFuture.completedFuture(null);

  AlarmIndexWrites(AlarmIndex index, String namespace, String objectId) {
    this.index = index;
    this.namespace = namespace;
    this.objectId = objectId;
  }

  CompletionStage<Void> upsert(long atMillis, int retries) {
    return then(() -> index.upsert(namespace, objectId, atMillis, retries));
  }

  CompletionStage<Void> delete() {
    return then(() -> index.delete(namespace, objectId));
  }

  CompletionStage<Optional<AlarmIndex.Entry>> read() {
    return index.get(namespace, objectId);
  }

  private CompletionStage<Void> then(Supplier<CompletionStage<Void>> op) {
    CompletionStage<Void> next =
        chain.handle((ignored, error) -> (Void) null).thenCompose(ignored -> op.get());
    next.whenComplete(
        (ignored, error) -> {
          if (error != null) {
            LOG.warn("Alarm index update of object {} failed: {}", objectId, error.toString());
          }
        });
    chain = next;
    return next;
  }
}

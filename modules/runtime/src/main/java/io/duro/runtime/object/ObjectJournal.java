package io.duro.runtime.object;

import io.duro.runtime.internal.Events.StorageSnapshot;
import io.duro.runtime.internal.Events.TurnsCommitted;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.storage.StoredEntries;
import io.duro.storage.WriteBatch;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The durable side of one object: an event-sourced child of the {@link ObjectEntity} ({@link KvBackend}) that persists
 * the entity's merged turn batches, one event per batch, and keeps its own image of the durable
 * storage for snapshots.
 *
 * <p>It exists apart from the entity because an {@code EventSourcedBehavior} stashes every command
 * while a persist is in flight; the entity must keep running turns meanwhile (the pipelined input
 * gate), so it runs the user code and sends this actor one batch at a time. A failed write stops
 * this actor (Pekko's default), which the entity watches and answers with a reset.
 *
 * <p><b>Images.</b> When the object's whole storage is no larger than the changes written since
 * the last image (their bytes plus {@link #ROW_COST_BYTES} per event, this one included), the
 * event is written as an image instead of the batch: cleared, then every entry and the alarm, the
 * same state once applied. {@link DuroJdbcJournal} recovers an object from its newest image on,
 * so a recovery reads at most about twice the storage's size, and the journal is written at most
 * about twice as much as the changes alone. A small object (a counter, whose storage is never
 * larger than a change to it: every event is an image) wakes by reading one row however long its
 * history; it used to read every event since its last snapshot, up to {@code snapshot-every}.
 * Snapshots remain for objects whose storage is large next to their changes.
 */
public final class ObjectJournal
    extends EventSourcedBehaviorWithEnforcedReplies<
        ObjectJournal.Persist, TurnsCommitted, StoredEntries> {

  /**
   * Persist one merged batch, then answer {@link ObjectCommand.Persisted}.
   *
   * @param batch the writes
   * @param upTo the number of the last turn batch it contains
   * @param replyTo the entity
   */
  public record Persist(WriteBatch batch, long upTo, ActorRef<ObjectCommand> replyTo) {}

  /**
   * What reading one more event costs a recovery, in bytes of storage image: a row fetched from
   * the journal costs about as much as decoding this many bytes more.
   */
  static final int ROW_COST_BYTES = 256;

  private final ActorRef<ObjectCommand> entity;
  private final int generation;
  private final int snapshotEvery;
  private final Function<StoredEntries, StorageBackend.Recovered> recovered;

  /** The changes written since the last image: their bytes plus {@link #ROW_COST_BYTES} each. */
  private long sinceImage;

  private ObjectJournal(
      PersistenceId persistenceId,
      ActorRef<ObjectCommand> entity,
      int generation,
      int snapshotEvery,
      Function<StoredEntries, StorageBackend.Recovered> recovered) {
    super(persistenceId);
    this.entity = entity;
    this.generation = generation;
    this.snapshotEvery = snapshotEvery;
    this.recovered = recovered;
  }

  /**
   * Creates the journal of one object.
   *
   * @param persistenceId the object's persistence ID
   * @param entity the owning entity, told when recovery completes
   * @param generation the incarnation number echoed in replies
   * @param snapshotEvery events between snapshots
   * @param recovered wraps the recovered storage (a copy the entity owns) for the entity
   * @return the behavior
   */
  static Behavior<Persist> create(
      PersistenceId persistenceId,
      ActorRef<ObjectCommand> entity,
      int generation,
      int snapshotEvery,
      Function<StoredEntries, StorageBackend.Recovered> recovered) {
    return new ObjectJournal(persistenceId, entity, generation, snapshotEvery, recovered);
  }

  @Override
  public StoredEntries emptyState() {
    return StoredEntries.empty();
  }

  @Override
  public CommandHandlerWithReply<Persist, TurnsCommitted, StoredEntries> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Persist.class, this::onPersist)
        .build();
  }

  private ReplyEffect<TurnsCommitted, StoredEntries> onPersist(StoredEntries state, Persist cmd) {
    return Effect()
        .persist(new TurnsCommitted(imageOrBatch(state, cmd.batch())))
        .thenReply(cmd.replyTo(), s -> new ObjectCommand.Persisted(cmd.upTo(), generation));
  }

  /**
   * The batch, or the image of the storage after it when that is no larger than the changes
   * since the last image with this one (see the class comment). The image after the batch is at
   * most today's storage plus the batch, so the batch's own size drops out of the comparison.
   */
  private WriteBatch imageOrBatch(StoredEntries state, WriteBatch batch) {
    if (batch.cleared() || state.approximateImageBytes() > sinceImage + ROW_COST_BYTES) {
      return batch; // an image already, or a larger storage than the changes since the last one
    }
    return state.toImageBatch().mergedWith(batch);
  }

  @Override
  public EventHandler<StoredEntries, TurnsCommitted> eventHandler() {
    return (state, event) -> {
      WriteBatch batch = event.batch();
      sinceImage = batch.cleared() ? 0 : sinceImage + batch.approximateBytes() + ROW_COST_BYTES;
      state.apply(batch);
      return state;
    };
  }

  @Override
  public SignalHandler<StoredEntries> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state ->
                entity.tell(
                    new ObjectCommand.Recovered(recovered.apply(state.copy()), generation)))
        .onSignal(RecoveryFailed.class, (state, failed) -> {})
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Old snapshots are deleted; events are kept (they make point-in-time restore possible).
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public SnapshotAdapter<StoredEntries> snapshotAdapter() {
    // toJournal runs inside this actor, so the image is taken before later events change state.
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(StoredEntries state) {
        return new StorageSnapshot(state.toBytes());
      }

      @Override
      public StoredEntries fromJournal(Object from) {
        return StoredEntries.fromBytes(((StorageSnapshot) from).image());
      }
    };
  }
}

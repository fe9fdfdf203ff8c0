package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.StorageOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ObjectStorageTurnTest {

  private static final StorageOptions UNCONFIRMED = StorageOptions.DEFAULT.withAllowUnconfirmed();

  private final ValueCodec codec = ValueCodec.create();
  private final StoredEntries durable = StoredEntries.empty();
  private final ObjectStorage storage =
      new ObjectStorage(durable.copy(), StorageLimits.DEFAULT, codec, new RecordingHost());

  /** Drains the turn and applies it to the durable image, as the journal would. */
  private WriteBatch commit() {
    WriteBatch batch = storage.drainTurn();
    durable.apply(batch);
    return batch;
  }

  private void assertDurableMatchesLive() {
    Map<String, Object> live = storage.list(Object.class);
    assertEquals(List.copyOf(durable.entries().keySet()), List.copyOf(live.keySet()));
    for (Map.Entry<String, byte[]> e : durable.entries().entrySet()) {
      Object expected = codec.decode(e.getValue(), Object.class);
      if (expected instanceof byte[]) {
        assertArrayEquals((byte[]) expected, (byte[]) live.get(e.getKey()));
      } else {
        assertEquals(expected, live.get(e.getKey()));
      }
    }
    assertEquals(
        Optional.ofNullable(durable.alarmEpochMillis()).map(Instant::ofEpochMilli),
        storage.getAlarm());
    assertEquals(durable.totalBytes(), storage.totalBytes());
  }

  @Test
  void drainOfAnUntouchedTurnIsEmpty() {
    storage.get("x", String.class);
    assertSame(WriteBatch.EMPTY, storage.drainTurn());
  }

  @Test
  void aKeyWrittenTwiceAppearsOnceWithItsLastValue() {
    storage.put("k", "first");
    storage.put("k", "second");
    WriteBatch batch = commit();
    assertEquals(Set.of("k"), batch.puts().keySet());
    assertArrayEquals(codec.encode("second"), batch.puts().get("k"));
    assertTrue(batch.confirmed());
    assertFalse(batch.cleared());
    assertFalse(batch.alarmChanged());
  }

  @Test
  void putThenDeleteEndsInDeletesAndDeleteThenPutInPuts() {
    storage.put("a", 1);
    storage.delete("a");
    storage.delete("b");
    storage.put("b", 2);
    WriteBatch batch = commit();
    assertEquals(Set.of("a"), batch.deletes());
    assertEquals(Set.of("b"), batch.puts().keySet());
  }

  @Test
  void deleteAllMarksTheBatchClearedAndRestartsIt() {
    storage.put(Map.of("a", 1, "b", 2));
    storage.setAlarm(Instant.ofEpochMilli(10));
    commit();
    storage.put("c", 3);
    storage.delete("a");
    storage.deleteAll();
    storage.put("d", 4);
    WriteBatch batch = commit();
    assertTrue(batch.cleared());
    assertEquals(Set.of("d"), batch.puts().keySet());
    assertEquals(Set.of(), batch.deletes());
    assertTrue(batch.alarmChanged());
    assertNull(batch.alarmEpochMillis());
    assertEquals(Set.of("d"), durable.entries().keySet());
    assertNull(durable.alarmEpochMillis());
    assertDurableMatchesLive();
  }

  @Test
  void alarmChangesAreInTheBatch() {
    storage.setAlarm(Instant.ofEpochMilli(1234));
    WriteBatch set = commit();
    assertTrue(set.alarmChanged());
    assertEquals(1234L, set.alarmEpochMillis());
    storage.deleteAlarm();
    WriteBatch deleted = commit();
    assertTrue(deleted.alarmChanged());
    assertNull(deleted.alarmEpochMillis());
    assertNull(durable.alarmEpochMillis());
  }

  @Test
  void writesWithAllowUnconfirmedOnlyLeaveTheBatchUnconfirmed() {
    storage.put("a", 1, UNCONFIRMED);
    storage.put(Map.of("b", 2), UNCONFIRMED);
    storage.delete("c", UNCONFIRMED);
    storage.delete(List.of("d"), UNCONFIRMED);
    storage.setAlarm(Instant.EPOCH, UNCONFIRMED);
    storage.deleteAlarm(UNCONFIRMED);
    storage.deleteAll(UNCONFIRMED);
    storage.put(
        "e", 5, StorageOptions.DEFAULT.withNoCache().withAllowConcurrency().withAllowUnconfirmed());
    WriteBatch batch = commit();
    assertFalse(batch.isEmpty());
    assertFalse(batch.confirmed());
    storage.put("a", 1, UNCONFIRMED);
    storage.delete("a");
    assertTrue(commit().confirmed());
  }

  @Test
  void otherOptionsHaveNoEffect() {
    StorageOptions options = StorageOptions.DEFAULT.withNoCache().withAllowConcurrency();
    storage.put("a", 1, options);
    assertEquals(Optional.of(1), storage.get("a", Integer.class, options));
    assertTrue(commit().confirmed());
  }

  @Test
  void drainedBatchesRebuildTheLiveImage() {
    storage.put(Map.of("a", 1, "\uD83D\uDE00", new byte[] {7}, "c", "x"));
    storage.setAlarm(Instant.ofEpochMilli(99));
    commit();
    storage.delete("a");
    storage.put("c", "y");
    commit();
    assertDurableMatchesLive();
    assertEquals(WriteBatch.EMPTY, storage.drainTurn());
  }

  @Test
  void rollbackTurnUndoesEveryWriteSinceTheLastDrain() {
    storage.put(Map.of("a", 1, "b", 2));
    storage.setAlarm(Instant.ofEpochMilli(10));
    commit();
    long bytes = storage.totalBytes();
    storage.put("a", 100);
    storage.delete("b");
    storage.put("c", 3);
    storage.setAlarm(Instant.ofEpochMilli(20));
    storage.rollbackTurn();
    assertEquals(Map.of("a", 1, "b", 2), storage.list(Integer.class));
    assertEquals(Optional.of(Instant.ofEpochMilli(10)), storage.getAlarm());
    assertEquals(bytes, storage.totalBytes());
    assertSame(WriteBatch.EMPTY, storage.drainTurn());
    assertDurableMatchesLive();
  }

  @Test
  void rollbackTurnUndoesDeleteAllAndTheWritesAroundIt() {
    storage.put(Map.of("a", 1, "b", 2));
    storage.setAlarm(Instant.ofEpochMilli(10));
    commit();
    storage.put("before", 0);
    storage.deleteAll();
    storage.put("after", 9);
    storage.rollbackTurn();
    assertEquals(Map.of("a", 1, "b", 2), storage.list(Integer.class));
    assertEquals(Optional.of(Instant.ofEpochMilli(10)), storage.getAlarm());
    assertSame(WriteBatch.EMPTY, storage.drainTurn());
    assertDurableMatchesLive();
  }

  @Test
  void writesAfterARollbackFormTheNextBatch() {
    storage.put("a", 1);
    storage.rollbackTurn();
    storage.put("b", 2, UNCONFIRMED);
    WriteBatch batch = commit();
    assertEquals(Set.of("b"), batch.puts().keySet());
    assertFalse(batch.confirmed());
  }
}

package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.StorageOptions;
import io.duro.api.Transaction;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ObjectStorageTransactionTest {

  private final ObjectStorage storage =
      new ObjectStorage(
          StoredEntries.empty(), StorageLimits.DEFAULT, ValueCodec.create(), new RecordingHost());

  private void seed() {
    storage.put(Map.of("alice", 10, "bob", 0));
    storage.setAlarm(Instant.ofEpochMilli(100));
    storage.drainTurn();
  }

  private void assertSeedState() {
    assertEquals(Map.of("alice", 10, "bob", 0), storage.list(Integer.class));
    assertEquals(Optional.of(Instant.ofEpochMilli(100)), storage.getAlarm());
  }

  @Test
  void writesOfAClosureThatReturnsAreKeptAndVisibleInside() {
    seed();
    boolean moved =
        storage.transaction(
            txn -> {
              int from = txn.get("alice", Integer.class).orElse(0);
              txn.put("alice", from - 3);
              txn.put("bob", txn.get("bob", Integer.class).orElse(0) + 3);
              return true;
            });
    assertTrue(moved);
    assertEquals(Map.of("alice", 7, "bob", 3), storage.list(Integer.class));
    assertEquals(Set.of("alice", "bob"), storage.drainTurn().puts().keySet());
  }

  @Test
  void anExceptionUndoesEveryWriteOfTheClosureAndIsRethrownAsIs() {
    seed();
    long bytes = storage.totalBytes();
    IllegalStateException thrown = new IllegalStateException("insufficient funds");
    IllegalStateException caught =
        assertThrows(
            IllegalStateException.class,
            () ->
                storage.transaction(
                    txn -> {
                      txn.put("alice", 0);
                      txn.put("carol", "new");
                      txn.delete("bob");
                      txn.setAlarm(Instant.ofEpochMilli(5));
                      txn.deleteAll();
                      txn.put("dave", 1);
                      throw thrown;
                    }));
    assertSame(thrown, caught);
    assertSeedState();
    assertEquals(bytes, storage.totalBytes());
    assertSame(WriteBatch.EMPTY, storage.drainTurn());
  }

  @Test
  void errorsRollBackToo() {
    seed();
    assertThrows(
        AssertionError.class,
        () ->
            storage.transaction(
                txn -> {
                  txn.put("alice", 0);
                  throw new AssertionError("boom");
                }));
    assertSeedState();
  }

  @Test
  void rollbackUndoesWritesSoFarAndLaterOnesButTheResultIsReturned() {
    seed();
    storage.put("outside", 1);
    String result =
        storage.transaction(
            txn -> {
              txn.put("alice", 0);
              txn.rollback();
              assertEquals(Optional.of(10), txn.get("alice", Integer.class));
              txn.put("bob", 99);
              assertEquals(Optional.of(99), txn.get("bob", Integer.class));
              return "rolled back";
            });
    assertEquals("rolled back", result);
    assertEquals(Map.of("alice", 10, "bob", 0, "outside", 1), storage.list(Integer.class));
    WriteBatch batch = storage.drainTurn();
    assertEquals(Set.of("outside"), batch.puts().keySet());
  }

  @Test
  void aFailedNestedTransactionUndoesOnlyItsOwnWrites() {
    seed();
    storage.transaction(
        outer -> {
          outer.put("alice", 1);
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  outer.transaction(
                      inner -> {
                        inner.put("bob", 2);
                        inner.deleteAll();
                        throw new IllegalArgumentException("inner failed");
                      }));
          assertEquals(Optional.of(0), outer.get("bob", Integer.class));
          outer.put("carol", 3);
          return null;
        });
    assertEquals(Map.of("alice", 1, "bob", 0, "carol", 3), storage.list(Integer.class));
  }

  @Test
  void aRolledBackNestedTransactionKeepsTheOuterWrites() {
    seed();
    int inner =
        storage.transaction(
            outer -> {
              outer.put("alice", 1);
              return outer.transaction(
                  txn -> {
                    txn.put("bob", 2);
                    txn.rollback();
                    return 7;
                  });
            });
    assertEquals(7, inner);
    assertEquals(Map.of("alice", 1, "bob", 0), storage.list(Integer.class));
  }

  @Test
  void rollingBackTheOuterTransactionFromInsideTheInnerOneUndoesBoth() {
    seed();
    storage.transaction(
        outer -> {
          outer.put("alice", 1);
          outer.transaction(
              inner -> {
                inner.put("bob", 2);
                outer.rollback();
                inner.put("carol", 3);
                return null;
              });
          outer.put("dave", 4);
          return null;
        });
    assertSeedState();
  }

  @Test
  void rollbackRestoresTheTurnsBufferAlarmAndConfirmedFlag() {
    seed();
    storage.put("a", 1, StorageOptions.DEFAULT.withAllowUnconfirmed());
    storage.transaction(
        txn -> {
          txn.put("a", 2);
          txn.delete("alice");
          txn.deleteAlarm();
          txn.rollback();
          return null;
        });
    WriteBatch batch = storage.drainTurn();
    assertEquals(Set.of("a"), batch.puts().keySet());
    assertEquals(Set.of(), batch.deletes());
    assertFalse(batch.alarmChanged());
    assertFalse(batch.confirmed());
    assertEquals(Optional.of(1), storage.get("a", Integer.class));
  }

  @Test
  void aTransactionIsUnusableAfterItsClosureReturned() {
    AtomicReference<Transaction> escaped = new AtomicReference<>();
    storage.transaction(
        txn -> {
          escaped.set(txn);
          return null;
        });
    assertThrows(IllegalStateException.class, () -> escaped.get().put("k", 1));
    assertThrows(IllegalStateException.class, () -> escaped.get().get("k", Integer.class));
    assertThrows(IllegalStateException.class, () -> escaped.get().rollback());
    assertEquals(Map.of(), storage.list(Integer.class));
  }

  @Test
  void drainingInsideATransactionFails() {
    assertThrows(
        IllegalStateException.class,
        () ->
            storage.transaction(
                txn -> {
                  txn.put("k", 1);
                  return storage.drainTurn();
                }));
    assertEquals(Map.of(), storage.list(Integer.class));
    assertSame(WriteBatch.EMPTY, storage.drainTurn());
  }

  @Test
  void rollbackTurnAlsoDiscardsCommittedTransactions() {
    seed();
    storage.transaction(
        txn -> {
          txn.put("alice", 1);
          return null;
        });
    storage.rollbackTurn();
    assertSeedState();
  }
}

package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.InvalidArgumentException;
import io.duro.api.ListOptions;
import io.duro.api.StorageOptions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ObjectStorageTest {

  record Profile(String name, int age, Instant joined) {}

  private final RecordingHost host = new RecordingHost();
  private final ObjectStorage storage =
      new ObjectStorage(StoredEntries.empty(), StorageLimits.DEFAULT, ValueCodec.create(), host);

  @Test
  void putThenGetReadsEachKindOfValueBack() {
    Profile profile = new Profile("ada", 36, Instant.parse("2026-01-01T00:00:00Z"));
    storage.put("s", "text");
    storage.put("n", 42L);
    storage.put("p", profile);
    storage.put("b", new byte[] {1, 2, 3});
    storage.put("l", List.of("x", "y"));
    assertEquals(Optional.of("text"), storage.get("s", String.class));
    assertEquals(Optional.of(42L), storage.get("n", Long.class));
    assertEquals(Optional.of(profile), storage.get("p", Profile.class));
    assertArrayEquals(new byte[] {1, 2, 3}, storage.get("b", byte[].class).orElseThrow());
    assertEquals(Optional.of(List.of("x", "y")), storage.get("l", List.class));
  }

  @Test
  void getOfAbsentKeyIsEmpty() {
    assertEquals(Optional.empty(), storage.get("missing", String.class));
    assertEquals(Optional.empty(), storage.get("missing", String.class, StorageOptions.DEFAULT));
  }

  @Test
  void putOverwritesAndMutatingTheGivenArrayChangesNothing() {
    byte[] value = {1};
    storage.put("k", value);
    value[0] = 9;
    assertArrayEquals(new byte[] {1}, storage.get("k", byte[].class).orElseThrow());
    storage.put("k", "now a string");
    assertEquals(Optional.of("now a string"), storage.get("k", String.class));
  }

  @Test
  void getOfManyKeysReturnsThePresentOnesOnceInUtf8Order() {
    storage.put(Map.of("\uFFFF", 1, "\uD83D\uDE00", 2, "a", 3));
    Map<String, Integer> found =
        storage.get(List.of("\uD83D\uDE00", "missing", "a", "\uFFFF", "a"), Integer.class);
    assertEquals(List.of("a", "\uFFFF", "\uD83D\uDE00"), List.copyOf(found.keySet()));
    assertEquals(List.of(3, 1, 2), List.copyOf(found.values()));
  }

  @Test
  void deleteReportsWhetherTheKeyExisted() {
    storage.put("k", 1);
    assertTrue(storage.delete("k"));
    assertFalse(storage.delete("k"));
    assertEquals(Optional.empty(), storage.get("k", Integer.class));
  }

  @Test
  void deleteOfManyKeysCountsTheOnesThatExistedOnce() {
    storage.put(Map.of("a", 1, "b", 2, "c", 3));
    assertEquals(2, storage.delete(List.of("a", "b", "b", "zzz")));
    assertEquals(Map.of("c", 3), storage.list(Integer.class));
  }

  @Test
  void deleteAllRemovesEveryKeyAndTheAlarm() {
    storage.put(Map.of("a", 1, "b", 2));
    storage.setAlarm(Instant.ofEpochMilli(1000));
    storage.deleteAll();
    assertEquals(Map.of(), storage.list(Integer.class));
    assertEquals(Optional.empty(), storage.getAlarm());
    assertEquals(0, storage.totalBytes());
    storage.put("c", 3);
    assertEquals(Map.of("c", 3), storage.list(Integer.class));
  }

  @Test
  void alarmIsSetWithMillisecondPrecisionReplacedAndDeleted() {
    assertEquals(Optional.empty(), storage.getAlarm());
    storage.setAlarm(Instant.parse("2026-05-01T00:00:00.123456789Z"));
    assertEquals(Optional.of(Instant.parse("2026-05-01T00:00:00.123Z")), storage.getAlarm());
    storage.setAlarm(Instant.ofEpochMilli(5));
    assertEquals(Optional.of(Instant.ofEpochMilli(5)), storage.getAlarm());
    storage.deleteAlarm();
    assertEquals(Optional.empty(), storage.getAlarm());
  }

  @Test
  void setAlarmOfNullFailsPointingToDeleteAlarm() {
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> storage.setAlarm(null));
    assertTrue(e.getMessage().contains("deleteAlarm"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> storage.setAlarm(Instant.MAX));
  }

  @Test
  void readingAValueAsTheWrongTypeFailsNamingTheKey() {
    storage.put("raw", new byte[] {1});
    storage.put("text", "hello");
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> storage.get("raw", String.class));
    assertTrue(e.getMessage().contains("\"raw\""), e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> storage.get("text", Profile.class));
    assertTrue(e.getMessage().contains("\"text\""), e.getMessage());
  }

  @Test
  void nullArgumentsFailWithInvalidArgument() {
    assertThrows(InvalidArgumentException.class, () -> storage.get((String) null, String.class));
    assertThrows(InvalidArgumentException.class, () -> storage.get("k", null));
    assertThrows(
        InvalidArgumentException.class,
        () -> storage.get(Arrays.asList("a", null), Integer.class));
    assertThrows(InvalidArgumentException.class, () -> storage.put("k", 1, null));
    assertThrows(InvalidArgumentException.class, () -> storage.put((Map<String, ?>) null));
    assertThrows(InvalidArgumentException.class, () -> storage.delete((List<String>) null));
    assertThrows(InvalidArgumentException.class, () -> storage.list(null, String.class));
    assertThrows(InvalidArgumentException.class, () -> storage.transaction(null));
    assertEquals(0, storage.totalBytes());
  }

  @Test
  void keyWithAnUnpairedSurrogateIsRejected() {
    assertThrows(InvalidArgumentException.class, () -> storage.put("a\uD83D", 1));
    assertEquals(Map.of(), storage.list(Integer.class));
  }

  @Test
  void everyOperationChecksAccessAndFailsFromAForeignThread() throws Exception {
    List<Consumer<ObjectStorage>> operations =
        List.of(
            s -> s.get("k", String.class),
            s -> s.get(List.of("k"), String.class),
            s -> s.put("k", 1),
            s -> s.put(Map.of("k", 1)),
            s -> s.delete("k"),
            s -> s.delete(List.of("k")),
            s -> s.list(String.class),
            s -> s.deleteAll(),
            s -> s.transaction(txn -> null),
            s -> s.getAlarm(),
            s -> s.setAlarm(Instant.EPOCH),
            s -> s.deleteAlarm(),
            s -> s.sync());
    for (Consumer<ObjectStorage> operation : operations) {
      int before = host.accessChecks;
      operation.accept(storage);
      assertTrue(host.accessChecks > before);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread foreign =
          new Thread(
              () -> {
                try {
                  operation.accept(storage);
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      foreign.start();
      foreign.join();
      assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
    }
  }

  @Test
  void syncIsTheHostsSync() {
    assertSame(host.syncResult, storage.sync());
    assertEquals(1, host.syncs);
  }

  @Test
  void totalBytesCountsKeysAndStoredValues() {
    storage.put("ab", new byte[] {1, 2, 3});
    assertEquals(2 + 4, storage.totalBytes());
    storage.put("ab", new byte[] {1});
    assertEquals(2 + 2, storage.totalBytes());
    storage.put("\u00e9", "x");
    assertEquals(4 + 2 + 4, storage.totalBytes());
    storage.delete("ab");
    assertEquals(2 + 4, storage.totalBytes());
  }

  @Test
  void storageSeededFromAnImageServesItsEntries() {
    StoredEntries image = StoredEntries.empty();
    ValueCodec codec = ValueCodec.create();
    image.apply(new WriteBatch(false, Map.of("k", codec.encode("v")), Set.of(), true, 77L, true));
    ObjectStorage seeded = new ObjectStorage(image, StorageLimits.DEFAULT, codec, host);
    assertEquals(Optional.of("v"), seeded.get("k", String.class));
    assertEquals(Optional.of(Instant.ofEpochMilli(77)), seeded.getAlarm());
    assertEquals(image.totalBytes(), seeded.totalBytes());
    assertEquals(Map.of("k", "v"), seeded.list(ListOptions.ALL, String.class));
  }
}

package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.InvalidArgumentException;
import io.duro.api.LimitExceededException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ObjectStorageLimitsTest {

  static final class NoProperties {}

  static final class ThrowingGetter {
    public int getValue() {
      throw new IllegalStateException("getter failed");
    }
  }

  private final ObjectStorage storage =
      new ObjectStorage(
          StoredEntries.empty(), StorageLimits.DEFAULT, ValueCodec.create(), new RecordingHost());

  private static LimitExceededException assertLimit(String limit, long actual, Executable call) {
    LimitExceededException e = assertThrows(LimitExceededException.class, call);
    assertEquals(limit, e.limit());
    assertEquals(actual, e.actual());
    return e;
  }

  private void assertNothingWritten() {
    assertEquals(Map.of("existing", "kept"), storage.list(String.class));
    assertEquals(WriteBatch.EMPTY, storage.drainTurn());
  }

  private void seed() {
    storage.put("existing", "kept");
    storage.drainTurn();
  }

  @Test
  void oversizedKeyFailsWithTheDocumentedMessageAndWritesNothing() {
    seed();
    String key = "k".repeat(3100);
    LimitExceededException e = assertLimit("key size", 3100, () -> storage.put(key, 1));
    assertEquals(2048, e.max());
    assertEquals(
        "Keys cannot be larger than 2048 bytes; a key of 3100 bytes was given.", e.getMessage());
    assertLimit("key size", 3100, () -> storage.get(key, Integer.class));
    assertLimit("key size", 3100, () -> storage.delete(key));
    assertLimit("key size", 3100, () -> storage.delete(List.of("existing", key)));
    assertNothingWritten();
  }

  @Test
  void keySizeCountsUtf8BytesNotCharacters() {
    storage.put("\u00e9".repeat(1024), 1);
    assertLimit("key size", 2050, () -> storage.put("\u00e9".repeat(1025), 1));
  }

  @Test
  void putOfOversizedValueFailsNamingTheKeyAndWritesNothing() {
    seed();
    storage.put("fits", new byte[131072]);
    storage.rollbackTurn();
    String key = "big-" + "x".repeat(100);
    LimitExceededException e =
        assertLimit("value size", 131073, () -> storage.put(key, new byte[131073]));
    assertTrue(e.getMessage().contains("\"big-xxxx"), e.getMessage());
    assertTrue(e.getMessage().contains("…"), e.getMessage());
    assertNothingWritten();
  }

  @Test
  void putOfManyWithOneOversizedValueWritesNone() {
    seed();
    Map<String, Object> entries = new LinkedHashMap<>();
    entries.put("a", "small");
    entries.put("b", "x".repeat(200_000));
    assertLimit("value size", 200_002, () -> storage.put(entries));
    assertNothingWritten();
  }

  @Test
  void moreThan128KeysPerCallFailForGetPutAndDelete() {
    seed();
    List<String> keys = new ArrayList<>();
    Map<String, Integer> entries = new LinkedHashMap<>();
    for (int i = 0; i < 129; i++) {
      keys.add("k" + i);
      entries.put("k" + i, i);
    }
    LimitExceededException e = assertLimit("keys per call", 129, () -> storage.put(entries));
    assertEquals(128, e.max());
    assertTrue(e.getMessage().contains("128"), e.getMessage());
    assertLimit("keys per call", 129, () -> storage.get(keys, Integer.class));
    assertLimit("keys per call", 129, () -> storage.delete(keys));
    assertNothingWritten();
  }

  @Test
  void duplicateKeysCountOnceTowardsTheKeysPerCallLimit() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      keys.add("k" + (i % 128));
    }
    assertEquals(Map.of(), storage.get(keys, Integer.class));
    assertEquals(0, storage.delete(keys));
  }

  @Test
  void writeBeyondTheStorageLimitFailsAndWritesNothing() {
    ObjectStorage small =
        new ObjectStorage(
            StoredEntries.empty(),
            new StorageLimits(2048, 131072, 128, 100),
            ValueCodec.create(),
            new RecordingHost());
    small.put("a", new byte[89]); // 1 + 90
    assertEquals(91, small.totalBytes());
    LimitExceededException e =
        assertLimit("storage per object", 101, () -> small.put("b", new byte[8]));
    assertEquals(100, e.max());
    assertLimit(
        "storage per object", 103, () -> small.put(Map.of("c", new byte[1], "d", new byte[7])));
    small.put("b", new byte[7]);
    assertEquals(100, small.totalBytes());
    small.put("a", new byte[10]); // shrinking is fine
    assertEquals(Optional.empty(), small.get("c", byte[].class));
    assertEquals(21, small.totalBytes());
  }

  @Test
  void nullValueFailsAndWritesNothing() {
    seed();
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> storage.put("k", null));
    assertTrue(e.getMessage().contains("\"k\""), e.getMessage());
    Map<String, Object> entries = new LinkedHashMap<>();
    entries.put("a", 1);
    entries.put("b", null);
    assertThrows(InvalidArgumentException.class, () -> storage.put(entries));
    assertNothingWritten();
  }

  @Test
  void unserializableValuesFailNamingTheClassAndWriteNothing() {
    seed();
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> storage.put("k", new NoProperties()));
    assertTrue(e.getMessage().contains("NoProperties"), e.getMessage());
    e = assertThrows(
        InvalidArgumentException.class,
        () -> storage.put(Map.of("a", 1, "b", new ThrowingGetter())));
    assertTrue(e.getMessage().contains("getter failed"), e.getMessage());
    assertNothingWritten();
  }

  @Test
  void nullKeyFailsWithInvalidArgument() {
    Map<String, Object> entries = new LinkedHashMap<>();
    entries.put(null, 1);
    assertThrows(InvalidArgumentException.class, () -> storage.put(null, 1));
    assertThrows(InvalidArgumentException.class, () -> storage.put(entries));
    assertThrows(InvalidArgumentException.class, () -> storage.delete((String) null));
  }

  @Test
  void limitsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new StorageLimits(0, 1, 1, 1));
    assertEquals(64L * 1024 * 1024, StorageLimits.DEFAULT.maxStorageBytes());
  }
}

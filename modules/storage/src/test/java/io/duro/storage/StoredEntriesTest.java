package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoredEntriesTest {

  private static final byte[] ONE = {1, '1'};
  private static final byte[] TWO = {1, '2'};

  private static StoredEntries sample() {
    StoredEntries entries = StoredEntries.empty();
    entries.apply(
        new WriteBatch(
            false,
            Map.of("b", ONE, "\uD83D\uDE00", TWO, "\uFFFF", new byte[0], "a", TWO),
            Set.of(),
            true,
            1_700_000_000_123L,
            true));
    return entries;
  }

  @Test
  void applyWritesDeletesClearsAndTracksBytes() {
    StoredEntries entries = sample();
    assertEquals(
        List.of("a", "b", "\uFFFF", "\uD83D\uDE00"), List.copyOf(entries.entries().keySet()));
    assertEquals(1 + 1 + 3 + 4 + 2 + 2 + 0 + 2, entries.totalBytes());
    entries.apply(new WriteBatch(false, Map.of("a", ONE), Set.of("b"), false, null, true));
    assertEquals(List.of("a", "\uFFFF", "\uD83D\uDE00"), List.copyOf(entries.entries().keySet()));
    assertArrayEquals(ONE, entries.entries().get("a"));
    assertEquals(1_700_000_000_123L, entries.alarmEpochMillis());
    entries.apply(new WriteBatch(true, Map.of("c", ONE), Set.of(), false, null, true));
    assertEquals(Set.of("c"), entries.entries().keySet());
    assertNull(entries.alarmEpochMillis());
    assertEquals(3, entries.totalBytes());
  }

  @Test
  void entriesViewIsReadOnly() {
    assertThrows(UnsupportedOperationException.class, () -> sample().entries().remove("a"));
  }

  @Test
  void copyIsIndependentOfTheOriginal() {
    StoredEntries original = sample();
    StoredEntries copy = original.copy();
    copy.apply(new WriteBatch(true, Map.of("x", ONE), Set.of(), false, null, true));
    original.apply(new WriteBatch(false, Map.of("y", ONE), Set.of(), false, null, true));
    assertEquals(Set.of("x"), copy.entries().keySet());
    assertTrue(original.entries().containsKey("y"));
    assertFalse(original.entries().containsKey("x"));
    assertEquals(1_700_000_000_123L, original.alarmEpochMillis());
  }

  @Test
  void imageBatchMakesAnyStorageEqualToTheImage() {
    StoredEntries image = sample();
    WriteBatch batch = image.toImageBatch();
    assertTrue(batch.cleared());
    assertEquals(batch.approximateBytes(), image.approximateImageBytes());
    StoredEntries other = StoredEntries.empty();
    other.apply(new WriteBatch(false, Map.of("z", ONE, "a", ONE), Set.of(), true, 5L, true));
    for (StoredEntries target : List.of(other, StoredEntries.empty())) {
      target.apply(batch);
      assertArrayEquals(image.toBytes(), target.toBytes()); // keys, values and the alarm
      assertEquals(image.totalBytes(), target.totalBytes());
    }
    // No alarm in the image: the batch removes the target's.
    StoredEntries noAlarm = StoredEntries.empty();
    noAlarm.apply(new WriteBatch(false, Map.of("a", TWO), Set.of(), false, null, true));
    StoredEntries withAlarm = sample();
    withAlarm.apply(noAlarm.toImageBatch());
    assertNull(withAlarm.alarmEpochMillis());
    assertEquals(Set.of("a"), withAlarm.entries().keySet());
    assertEquals(
        StoredEntries.empty().toImageBatch().approximateBytes(),
        StoredEntries.empty().approximateImageBytes());
  }

  @Test
  void binaryImageRoundTripsExactly() {
    for (StoredEntries entries : List.of(sample(), StoredEntries.empty())) {
      StoredEntries back = StoredEntries.fromBytes(entries.toBytes());
      assertEquals(entries.entries().keySet(), back.entries().keySet());
      for (String key : entries.entries().keySet()) {
        assertArrayEquals(entries.entries().get(key), back.entries().get(key));
      }
      assertEquals(entries.alarmEpochMillis(), back.alarmEpochMillis());
      assertEquals(entries.totalBytes(), back.totalBytes());
      assertArrayEquals(entries.toBytes(), back.toBytes());
    }
  }

  @Test
  void everyTruncatedImageIsRejected() {
    byte[] image = sample().toBytes();
    for (int length = 0; length < image.length; length++) {
      byte[] truncated = Arrays.copyOf(image, length);
      assertThrows(
          IllegalArgumentException.class,
          () -> StoredEntries.fromBytes(truncated),
          "length " + length);
    }
  }

  @Test
  void corruptImagesAreRejectedWithAClearMessage() {
    byte[] image = sample().toBytes();

    byte[] badVersion = image.clone();
    badVersion[0] = 9;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StoredEntries.fromBytes(badVersion));
    assertTrue(e.getMessage().contains("version 9"), e.getMessage());

    byte[] trailing = Arrays.copyOf(image, image.length + 1);
    e = assertThrows(IllegalArgumentException.class, () -> StoredEntries.fromBytes(trailing));
    assertTrue(e.getMessage().contains("after the last entry"), e.getMessage());

    byte[] badFlag = image.clone();
    badFlag[1] = 3;
    assertThrows(IllegalArgumentException.class, () -> StoredEntries.fromBytes(badFlag));
    assertThrows(IllegalArgumentException.class, () -> StoredEntries.fromBytes(null));
  }

  @Test
  void imageWithInvalidUtf8OrUnsortedKeysIsRejected() {
    StoredEntries two = StoredEntries.empty();
    two.apply(new WriteBatch(false, Map.of("a", ONE, "b", TWO), Set.of(), false, null, true));
    byte[] image = two.toBytes();
    // header: version, no alarm, count (4 bytes); then key length (4 bytes) and the key "a".
    int firstKey = 1 + 1 + 4 + 4;
    assertEquals('a', image[firstKey]);

    byte[] invalidUtf8 = image.clone();
    invalidUtf8[firstKey] = (byte) 0xFF;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StoredEntries.fromBytes(invalidUtf8));
    assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());

    byte[] unsorted = image.clone();
    unsorted[firstKey] = 'c';
    e = assertThrows(IllegalArgumentException.class, () -> StoredEntries.fromBytes(unsorted));
    assertTrue(e.getMessage().contains("out of order"), e.getMessage());
  }

  @Test
  void imageKeysAreUtf8() {
    StoredEntries one = StoredEntries.empty();
    one.apply(new WriteBatch(false, Map.of("é", ONE), Set.of(), false, null, true));
    byte[] image = one.toBytes();
    byte[] key = "é".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(key, Arrays.copyOfRange(image, 10, 10 + key.length));
  }
}

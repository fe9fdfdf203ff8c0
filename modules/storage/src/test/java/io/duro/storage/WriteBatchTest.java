package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WriteBatchTest {

  private static byte[] v(int b) {
    return new byte[] {1, (byte) b};
  }

  private static WriteBatch batch(
      boolean cleared, Map<String, byte[]> puts, Set<String> deletes, Long alarm, boolean change) {
    return new WriteBatch(cleared, puts, deletes, change, alarm, true);
  }

  private static StoredEntries base() {
    StoredEntries entries = StoredEntries.empty();
    entries.apply(
        new WriteBatch(false, Map.of("a", v(1), "b", v(2), "c", v(3)), Set.of(), true, 7L, true));
    return entries;
  }

  private static void assertSameImage(StoredEntries expected, StoredEntries actual) {
    assertEquals(expected.entries().keySet(), actual.entries().keySet());
    for (String key : expected.entries().keySet()) {
      assertArrayEquals(expected.entries().get(key), actual.entries().get(key), key);
    }
    assertEquals(expected.alarmEpochMillis(), actual.alarmEpochMillis());
    assertEquals(expected.totalBytes(), actual.totalBytes());
  }

  @Test
  void applyingMergedEqualsApplyingBothInOrder() {
    List<WriteBatch> cases =
        List.of(
            WriteBatch.EMPTY,
            batch(false, Map.of("a", v(10), "d", v(4)), Set.of("b"), null, false),
            batch(false, Map.of("b", v(20)), Set.of("a", "d"), 99L, true),
            batch(true, Map.of(), Set.of(), null, false),
            batch(true, Map.of("z", v(26)), Set.of("a"), 5L, true),
            batch(false, Map.of(), Set.of("c"), null, true),
            batch(false, Map.of("c", v(30), "\uD83D\uDE00", v(9)), Set.of(), null, false));
    for (WriteBatch first : cases) {
      for (WriteBatch second : cases) {
        StoredEntries sequential = base();
        sequential.apply(first);
        sequential.apply(second);
        StoredEntries merged = base();
        merged.apply(first.mergedWith(second));
        assertSameImage(sequential, merged);
        for (WriteBatch third : cases) {
          StoredEntries three = base();
          three.apply(first.mergedWith(second).mergedWith(third));
          StoredEntries threeSequential = sequential.copy();
          threeSequential.apply(third);
          assertSameImage(threeSequential, three);
        }
      }
    }
  }

  @Test
  void mergedBatchIsConfirmedWhenEitherIs() {
    WriteBatch unconfirmed = new WriteBatch(false, Map.of("a", v(1)), Set.of(), false, null, false);
    WriteBatch confirmed = new WriteBatch(false, Map.of("b", v(1)), Set.of(), false, null, true);
    assertFalse(unconfirmed.mergedWith(unconfirmed).confirmed());
    assertTrue(unconfirmed.mergedWith(confirmed).confirmed());
    assertTrue(confirmed.mergedWith(unconfirmed).confirmed());
    assertTrue(confirmed.mergedWith(WriteBatch.EMPTY).confirmed());
  }

  @Test
  void mergingKeepsTheLaterValueAndMovesKeysBetweenPutsAndDeletes() {
    WriteBatch first = batch(false, Map.of("a", v(1)), Set.of("b"), null, false);
    WriteBatch later = batch(false, Map.of("b", v(2)), Set.of("a"), null, false);
    WriteBatch merged = first.mergedWith(later);
    assertEquals(Set.of("b"), merged.puts().keySet());
    assertEquals(Set.of("a"), merged.deletes());
  }

  @Test
  void keyInBothPutsAndDeletesIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new WriteBatch(false, Map.of("a", v(1)), Set.of("a"), false, null, true));
  }

  @Test
  void clearedBatchAlwaysChangesTheAlarm() {
    WriteBatch cleared = new WriteBatch(true, Map.of(), Set.of(), false, 5L, true);
    assertTrue(cleared.alarmChanged());
    assertNull(cleared.alarmEpochMillis());
    assertNull(new WriteBatch(false, Map.of(), Set.of(), false, 5L, true).alarmEpochMillis());
  }

  @Test
  void emptinessIgnoresTheConfirmedFlag() {
    assertTrue(WriteBatch.EMPTY.isEmpty());
    assertTrue(new WriteBatch(false, null, null, false, null, true).isEmpty());
    assertFalse(new WriteBatch(false, Map.of(), Set.of("a"), false, null, false).isEmpty());
    assertFalse(new WriteBatch(false, Map.of(), Set.of(), true, null, false).isEmpty());
    assertFalse(new WriteBatch(true, Map.of(), Set.of(), false, null, false).isEmpty());
  }

  @Test
  void keysAreKeptInUtf8Order() {
    Map<String, byte[]> puts = new LinkedHashMap<>();
    puts.put("\uD83D\uDE00", v(1));
    puts.put("\uFFFF", v(2));
    puts.put("a", v(3));
    WriteBatch batch = new WriteBatch(false, puts, Set.of(), false, null, true);
    assertEquals(List.of("a", "\uFFFF", "\uD83D\uDE00"), List.copyOf(batch.puts().keySet()));
  }

  @Test
  void batchesAreEqualByValueContent() {
    WriteBatch one = new WriteBatch(false, Map.of("a", v(1)), Set.of("b"), true, 3L, true);
    WriteBatch two = new WriteBatch(false, Map.of("a", v(1)), Set.of("b"), true, 3L, true);
    assertEquals(one, two);
    assertEquals(one.hashCode(), two.hashCode());
    assertFalse(one.equals(new WriteBatch(false, Map.of("a", v(2)), Set.of("b"), true, 3L, true)));
  }

  @Test
  void approximateBytesGrowsWithContent() {
    WriteBatch small = new WriteBatch(false, Map.of("a", v(1)), Set.of(), false, null, true);
    WriteBatch large =
        new WriteBatch(false, Map.of("a", new byte[1000]), Set.of("bb"), false, null, true);
    assertTrue(small.approximateBytes() > 0);
    assertTrue(large.approximateBytes() > 1000 + small.approximateBytes() - 4);
  }

  @Test
  void jacksonRoundTripKeepsEveryFieldAndByteValues() throws Exception {
    ObjectMapper mapper = ValueCodec.create().mapper();
    byte[] raw = {0, -1, 127, -128, 42};
    WriteBatch batch =
        new WriteBatch(false, Map.of("k\u00e9", raw, "x", v(2)), Set.of("gone"), true, 123L, false);
    String json = mapper.writeValueAsString(batch);
    assertFalse(json.contains("empty"), json);
    WriteBatch back = mapper.readValue(json, WriteBatch.class);
    assertEquals(batch, back);
    assertTrue(Arrays.equals(raw, back.puts().get("k\u00e9")));
    WriteBatch cleared = new WriteBatch(true, Map.of(), Set.of(), false, null, true);
    assertEquals(cleared, mapper.readValue(mapper.writeValueAsBytes(cleared), WriteBatch.class));
    assertEquals(
        WriteBatch.EMPTY,
        mapper.readValue(mapper.writeValueAsBytes(WriteBatch.EMPTY), WriteBatch.class));
  }

  private static List<WriteBatch> imageCases() {
    return List.of(
        WriteBatch.EMPTY,
        new WriteBatch(false, Map.of("k\u00e9", new byte[] {0, -1, 127, -128}), Set.of(), false,
            null, true),
        new WriteBatch(false, Map.of("a", v(1), "\uD83D\uDE00", v(2), "b", new byte[0]),
            Set.of("gone", "z"), true, 123L, false),
        new WriteBatch(false, Map.of(), Set.of("x"), true, null, true),
        new WriteBatch(true, Map.of("after", v(3)), Set.of(), false, null, true),
        new WriteBatch(false, Map.of("big", new byte[70_000]), Set.of(), true, -5L, true));
  }

  @Test
  void binaryImageRoundTripsEveryField() {
    for (WriteBatch batch : imageCases()) {
      WriteBatch back = WriteBatch.fromBytes(batch.toBytes());
      assertEquals(batch, back, batch.toString());
      assertEquals(batch.cleared(), back.cleared());
      assertEquals(batch.alarmChanged(), back.alarmChanged());
      assertEquals(batch.alarmEpochMillis(), back.alarmEpochMillis());
      assertEquals(batch.confirmed(), back.confirmed());
      assertEquals(List.copyOf(batch.puts().keySet()), List.copyOf(back.puts().keySet()));
      assertArrayEquals(batch.toBytes(), back.toBytes());
    }
  }

  @Test
  void binaryImageOfAOneKeyWriteIsTwentyFiveBytes() {
    WriteBatch counter = new WriteBatch(false, Map.of("count", v(7)), Set.of(), false, null, true);
    // version, flags, put count, key length + "count", value length + 2 bytes, delete count
    assertEquals(1 + 1 + 4 + (4 + 5) + (4 + 2) + 4, counter.toBytes().length);
  }

  @Test
  void everyTruncatedBinaryImageIsRejected() {
    for (WriteBatch batch : imageCases()) {
      byte[] image = batch.toBytes();
      for (int length = 0; length < Math.min(image.length, 200); length++) {
        byte[] truncated = Arrays.copyOf(image, length);
        assertThrows(
            IllegalArgumentException.class,
            () -> WriteBatch.fromBytes(truncated),
            batch + " cut at " + length);
      }
    }
  }

  @Test
  void corruptBinaryImagesAreRejectedWithAClearMessage() {
    WriteBatch batch =
        new WriteBatch(false, Map.of("a", v(1), "b", v(2)), Set.of("c"), true, 9L, true);
    byte[] image = batch.toBytes();

    byte[] badVersion = image.clone();
    badVersion[0] = 2;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(badVersion));
    assertTrue(e.getMessage().contains("Write batch image has format version 2"), e.getMessage());

    byte[] badFlags = image.clone();
    badFlags[1] = (byte) 0x40;
    e = assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(badFlags));
    assertTrue(e.getMessage().contains("flags 64"), e.getMessage());

    byte[] alarmWithoutChange = image.clone();
    alarmWithoutChange[1] = (byte) (alarmWithoutChange[1] & ~2);
    assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(alarmWithoutChange));

    byte[] trailing = Arrays.copyOf(image, image.length + 1);
    e = assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(trailing));
    assertTrue(e.getMessage().contains("after the last deleted key"), e.getMessage());

    // header: version, flags, alarm (8), put count (4); then the first key's length and "a".
    int firstKey = 1 + 1 + 8 + 4 + 4;
    assertEquals('a', image[firstKey]);
    byte[] unsorted = image.clone();
    unsorted[firstKey] = 'c';
    e = assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(unsorted));
    assertTrue(e.getMessage().contains("out of order"), e.getMessage());

    byte[] invalidUtf8 = image.clone();
    invalidUtf8[firstKey] = (byte) 0xFF;
    e = assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(invalidUtf8));
    assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(null));
    assertTrue(e.getMessage().contains("Write batch image is null"), e.getMessage());
  }

  @Test
  void binaryImageRefusesAKeyBothPutAndDeleted() {
    byte[] image =
        new WriteBatch(false, Map.of("a", v(1)), Set.of("b"), false, null, true).toBytes();
    // the deleted key "b" is the image's last byte; make it "a", which is also put
    image[image.length - 1] = 'a';
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WriteBatch.fromBytes(image));
    assertTrue(e.getMessage().contains("both put and deleted"), e.getMessage());
  }
}

package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.InvalidArgumentException;
import io.duro.api.ListOptions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObjectStorageListTest {

  private static final String EMOJI = "\uD83D\uDE00";

  private final ObjectStorage storage =
      new ObjectStorage(
          StoredEntries.empty(), StorageLimits.DEFAULT, ValueCodec.create(), new RecordingHost());

  @BeforeEach
  void fill() {
    for (String key : List.of("a", "b", "ba", "bb", "c", "\uFFFF", EMOJI, EMOJI + "x")) {
      storage.put(key, key);
    }
  }

  private List<String> keys(ListOptions options) {
    return List.copyOf(storage.list(options, String.class).keySet());
  }

  @Test
  void listIsInUtf8OrderWhereTheEmojiSortsAfterUplusFfff() {
    assertEquals(
        List.of("a", "b", "ba", "bb", "c", "\uFFFF", EMOJI, EMOJI + "x"), keys(ListOptions.ALL));
    assertEquals(keys(ListOptions.ALL), List.copyOf(storage.list(String.class).keySet()));
    assertEquals("ba", storage.list(String.class).get("ba"));
  }

  @Test
  void startIsInclusiveAndEndExclusive() {
    assertEquals(List.of("b", "ba", "bb"), keys(ListOptions.builder().start("b").end("c").build()));
    assertEquals(
        List.of("c", "\uFFFF"), keys(ListOptions.builder().start("bc").end(EMOJI).build()));
  }

  @Test
  void startAfterIsExclusive() {
    assertEquals(
        List.of("ba", "bb"), keys(ListOptions.builder().startAfter("b").end("c").build()));
    assertEquals(List.of(EMOJI + "x"), keys(ListOptions.builder().startAfter(EMOJI).build()));
  }

  @Test
  void prefixSelectsOnlyKeysStartingWithIt() {
    assertEquals(List.of("b", "ba", "bb"), keys(ListOptions.prefix("b")));
    assertEquals(List.of(EMOJI, EMOJI + "x"), keys(ListOptions.prefix(EMOJI)));
    assertEquals(List.of("\uFFFF"), keys(ListOptions.prefix("\uFFFF")));
    assertEquals(List.of(), keys(ListOptions.prefix("zz")));
    assertEquals(keys(ListOptions.ALL), keys(ListOptions.prefix("")));
  }

  @Test
  void prefixCombinesWithBounds() {
    assertEquals(List.of("ba", "bb"), keys(ListOptions.builder().prefix("b").start("b0").build()));
    assertEquals(List.of("b"), keys(ListOptions.builder().prefix("b").end("ba").build()));
    assertEquals(
        List.of("bb"), keys(ListOptions.builder().prefix("b").startAfter("ba").build()));
    assertEquals(List.of(), keys(ListOptions.builder().prefix("b").start("c").build()));
  }

  @Test
  void reverseKeepsTheBoundsAndTheLimitCountsFromTheHighEnd() {
    assertEquals(
        List.of("bb", "ba", "b"),
        keys(ListOptions.builder().start("b").end("c").reverse(true).build()));
    assertEquals(
        List.of(EMOJI + "x", EMOJI), keys(ListOptions.builder().reverse(true).limit(2).build()));
    assertEquals(
        List.of("bb", "ba"),
        keys(ListOptions.builder().prefix("b").reverse(true).limit(2).build()));
  }

  @Test
  void limitCapsTheNumberOfEntries() {
    assertEquals(List.of("a", "b"), keys(ListOptions.builder().limit(2).build()));
    assertEquals(8, keys(ListOptions.builder().limit(100).build()).size());
  }

  @Test
  void startTogetherWithStartAfterFailsEvenWhenTheRangeIsEmpty() {
    InvalidArgumentException e =
        assertThrows(
            InvalidArgumentException.class,
            () -> keys(ListOptions.builder().start("z").startAfter("z").end("a").build()));
    assertTrue(e.getMessage().contains("startAfter"), e.getMessage());
  }

  @Test
  void zeroOrNegativeLimitFails() {
    assertThrows(
        InvalidArgumentException.class, () -> keys(ListOptions.builder().limit(0).build()));
    assertThrows(
        InvalidArgumentException.class,
        () -> keys(ListOptions.builder().start("z").end("a").limit(-1).build()));
  }

  @Test
  void emptyRangesAreEmptyNotErrors() {
    assertEquals(List.of(), keys(ListOptions.builder().start("c").end("a").build()));
    assertEquals(List.of(), keys(ListOptions.builder().start("b").end("b").build()));
    assertEquals(List.of(), keys(ListOptions.builder().startAfter("b").end("b").build()));
    assertEquals(
        List.of(), keys(ListOptions.builder().start("c").end("a").reverse(true).build()));
  }

  @Test
  void boundsWithUnpairedSurrogatesFail() {
    assertThrows(InvalidArgumentException.class, () -> keys(ListOptions.prefix("\uD83D")));
    assertThrows(
        InvalidArgumentException.class, () -> keys(ListOptions.builder().end("\uDE00").build()));
  }

  @Test
  void listSeesWritesOfTheSameTurn() {
    storage.delete("a");
    storage.put("aa", "aa");
    assertEquals(List.of("aa", "b"), keys(ListOptions.builder().end("ba").build()));
  }
}

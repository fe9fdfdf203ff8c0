package io.duro.runtime.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  private final GroupCommit commit = new GroupCommit();

  static WriteBatch put(String key, String value) {
    return new WriteBatch(
        false, Map.of(key, value.getBytes(StandardCharsets.UTF_8)), Set.of(), false, null, true);
  }

  @Test
  void add_numbersEachTurnThatWrote_andSkipsOneThatDidNot() {
    assertEquals(1, commit.add(put("a", "1")));
    assertEquals(0, commit.add(WriteBatch.EMPTY));
    assertEquals(2, commit.add(put("b", "2")));
    assertEquals(2, commit.lastTurn());
  }

  @Test
  void take_withNothingInFlight_takesThePendingBatch() {
    commit.add(put("a", "1"));
    GroupCommit.Flush flush = commit.take();
    assertEquals(put("a", "1"), flush.batch());
    assertEquals(1, flush.upTo());
    assertTrue(commit.inFlight());
    assertNull(commit.pending());
  }

  @Test
  void take_whileABatchIsInFlight_mergesLaterTurnsIntoOneBatch() {
    commit.add(put("a", "1"));
    commit.take();
    commit.add(put("b", "2"));
    commit.add(put("b", "3"));
    commit.add(put("c", "4"));
    assertNull(commit.take());
    assertEquals(put("a", "1"), commit.written());
    GroupCommit.Flush next = commit.take();
    assertEquals(Set.of("b", "c"), next.batch().puts().keySet());
    assertEquals("3", new String(next.batch().puts().get("b"), StandardCharsets.UTF_8));
    assertEquals(4, next.upTo());
  }

  @Test
  void idle_onlyWhenNothingIsPendingOrInFlight() {
    assertTrue(commit.idle());
    commit.add(put("a", "1"));
    assertFalse(commit.idle());
    commit.take();
    assertFalse(commit.idle());
    commit.written();
    assertTrue(commit.idle());
    assertNull(commit.take());
  }
}

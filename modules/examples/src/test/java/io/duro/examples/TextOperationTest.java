package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.InvalidArgumentException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextOperationTest {

  @Test
  void applyRetainsDeletesAndInserts() {
    TextOperation op = TextOperation.fromJson(List.of(2, -3, "XY", 1));
    assertEquals("abXYf", op.apply("abcdef"));
    assertEquals(6, op.baseLength());
    assertEquals(5, op.targetLength());
  }

  @Test
  void concurrentInsertsAtTheSamePlaceConvergeWithTheFirstOperandFirst() {
    TextOperation a = TextOperation.fromJson(List.of(1, "A", 2));
    TextOperation b = TextOperation.fromJson(List.of(1, "B", 2));
    TextOperation[] t = TextOperation.transform(a, b);
    assertEquals("xAByz", t[1].apply(a.apply("xyz")));
    assertEquals("xAByz", t[0].apply(b.apply("xyz")));
  }

  @Test
  void randomConcurrentOperationsConverge() {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      String text = randomText(random, random.nextInt(12));
      TextOperation a = randomEdit(random, text);
      TextOperation b = randomEdit(random, text);
      TextOperation[] t = TextOperation.transform(a, b);
      assertEquals(t[1].apply(a.apply(text)), t[0].apply(b.apply(text)), a + " and " + b);
    }
  }

  @Test
  void fromJsonRefusesWhatIsNotAComponentAndSaysWhich() {
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> TextOperation.fromJson(List.of(1, 0)));
    assertTrue(e.getMessage().contains("Component 1"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> TextOperation.fromJson(List.of(1.5)));
    assertThrows(InvalidArgumentException.class, () -> TextOperation.fromJson(List.of("")));
    assertThrows(InvalidArgumentException.class, () -> TextOperation.fromJson("abc"));
  }

  @Test
  void applyToATextOfAnotherLengthFails() {
    TextOperation op = TextOperation.fromJson(List.of(3, "x"));
    assertThrows(InvalidArgumentException.class, () -> op.apply("ab"));
    assertThrows(
        InvalidArgumentException.class,
        () -> TextOperation.transform(op, TextOperation.fromJson(List.of(2))));
  }

  /** A random insert, delete or replace somewhere in the text (shared with CollabDocTest). */
  static TextOperation randomEdit(Random random, String text) {
    int at = random.nextInt(text.length() + 1);
    int del = at == text.length() ? 0 : random.nextInt(Math.min(4, text.length() - at) + 1);
    String ins = random.nextInt(3) == 0 && del > 0 ? "" : randomText(random, 1 + random.nextInt(3));
    return new TextOperation.Builder()
        .retain(at)
        .insert(ins)
        .delete(del)
        .retain(text.length() - at - del)
        .build();
  }

  static String randomText(Random random, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }
}

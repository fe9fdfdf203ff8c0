package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8OrderTest {

  private static final String MAX_BMP = "\uFFFF";
  private static final String EMOJI = "\uD83D\uDE00";

  @Test
  void supplementaryCharactersSortAfterTheEndOfTheBasicPlaneUnlikeStringCompareTo() {
    assertTrue(Utf8Order.COMPARATOR.compare(EMOJI, MAX_BMP) > 0);
    assertTrue(EMOJI.compareTo(MAX_BMP) < 0);
    assertTrue(Utf8Order.COMPARATOR.compare("\uE000", EMOJI) < 0);
    assertTrue(Utf8Order.COMPARATOR.compare("a", "ab") < 0);
    assertEquals(0, Utf8Order.COMPARATOR.compare(EMOJI, new String(EMOJI)));
  }

  @Test
  void comparatorAgreesWithUnsignedUtf8ByteOrderOnRandomStrings() {
    Random random = new Random(42);
    int[] pool = {'a', 'b', 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x1F600,
      0x10FFFF};
    for (int n = 0; n < 20_000; n++) {
      String a = randomString(random, pool);
      String b = randomString(random, pool);
      int expected =
          Integer.signum(
              Arrays.compareUnsigned(
                  a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
      assertEquals(expected, Integer.signum(Utf8Order.COMPARATOR.compare(a, b)), a + " vs " + b);
    }
  }

  private static String randomString(Random random, int[] pool) {
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(4);
    for (int i = 0; i < length; i++) {
      s.appendCodePoint(pool[random.nextInt(pool.length)]);
    }
    return s.toString();
  }

  @Test
  void utf8LengthMatchesTheEncodedLength() {
    for (String s : new String[] {"", "abc", "é", "€", EMOJI, "a\u07FF\u0800" + EMOJI + MAX_BMP}) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, Utf8Order.utf8Length(s), s);
    }
    assertEquals(3, Utf8Order.utf8Length("\uD83D"));
  }

  @Test
  void unpairedSurrogatesAreFound() {
    assertEquals(-1, Utf8Order.firstUnpairedSurrogate("a" + EMOJI));
    assertEquals(1, Utf8Order.firstUnpairedSurrogate("a\uD83D"));
    assertEquals(0, Utf8Order.firstUnpairedSurrogate("\uDE00a"));
  }

  @Test
  void prefixSuccessorIsTheNextCodePointAndSkipsTheSurrogateRange() {
    assertEquals("b", Utf8Order.successorOfPrefix("a"));
    assertEquals("\uE000", Utf8Order.successorOfPrefix("\uD7FF"));
    assertEquals("\uD800\uDC00", Utf8Order.successorOfPrefix(MAX_BMP));
    assertEquals("b", Utf8Order.successorOfPrefix("a\uDBFF\uDFFF"));
    assertNull(Utf8Order.successorOfPrefix("\uDBFF\uDFFF"));
    assertNull(Utf8Order.successorOfPrefix(""));
  }
}

package io.duro.storage;

import java.util.Comparator;

/**
 * Orders strings by their UTF-8 bytes, which is Unicode code point order.
 *
 * <p>Java's {@link String#compareTo} compares UTF-16 code units, which puts supplementary
 * characters (surrogate pairs, e.g. emoji) before U+E000..U+FFFF; UTF-8 and code point order put
 * them after. {@link #COMPARATOR} compares without allocating and is consistent with {@link
 * String#equals}. For strings with unpaired surrogates (which storage rejects as keys) it is still
 * a consistent total order.
 */
public final class Utf8Order {

  /** Compares strings in UTF-8 byte (= code point) order. */
  public static final Comparator<String> COMPARATOR = Utf8Order::compare;

  private Utf8Order() {}

  private static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x >= Character.MIN_SURROGATE && y >= Character.MIN_SURROGATE) {
          // Move surrogates (D800..DFFF) above E000..FFFF, keeping each group's order.
          return fixUp(x) - fixUp(y);
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  private static int fixUp(char c) {
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }

  /**
   * The length of {@code s} encoded as UTF-8, computed without encoding. An unpaired surrogate
   * counts 3 bytes.
   *
   * @param s the string
   * @return its UTF-8 length in bytes
   */
  public static int utf8Length(String s) {
    int length = s.length();
    int bytes = length;
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c)
            && i + 1 < length
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // 4 bytes for two chars
          i++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }

  /**
   * The index of the first unpaired surrogate in {@code s}, or -1 when {@code s} is well-formed
   * UTF-16 (and so has an exact UTF-8 encoding).
   */
  static int firstUnpairedSurrogate(String s) {
    int length = s.length();
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < length
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * The smallest string greater than every string starting with {@code prefix} in this order, or
   * null when there is none (the prefix is empty or all U+10FFFF). {@code prefix} must be
   * well-formed.
   */
  static String successorOfPrefix(String prefix) {
    int end = prefix.length();
    while (end > 0) {
      int cp = prefix.codePointBefore(end);
      int start = end - Character.charCount(cp);
      if (cp < Character.MAX_CODE_POINT) {
        int next = cp + 1 == Character.MIN_SURROGATE ? 0xE000 : cp + 1;
        return prefix.substring(0, start) + new String(Character.toChars(next));
      }
      end = start;
    }
    return null;
  }
}

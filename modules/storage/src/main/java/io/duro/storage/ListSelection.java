package io.duro.storage;

import io.duro.api.InvalidArgumentException;
import io.duro.api.ListOptions;
import java.util.Collections;
import java.util.NavigableMap;

/**
 * Validates {@link ListOptions} and narrows a sorted map to the keys they select, without scanning.
 *
 * <p>Bad options are rejected before looking at the map, so they fail even when the range would
 * be empty. The bounds and prefix are combined into one {@code [lower, upper)} range in {@link
 * Utf8Order} (the prefix's upper bound is its code point successor), so selection is a {@code
 * subMap} view: O(log n) to find, then proportional to what is read.
 */
final class ListSelection {

  private ListSelection() {}

  /** Rejects contradictory or malformed options. */
  static void validate(ListOptions options) {
    if (options == null) {
      throw new InvalidArgumentException("List options cannot be null; use ListOptions.ALL.");
    }
    if (options.start() != null && options.startAfter() != null) {
      throw new InvalidArgumentException(
          "start and startAfter cannot be combined; give one of them "
              + "(start is inclusive, startAfter exclusive).");
    }
    if (options.limit() != null && options.limit() <= 0) {
      throw new InvalidArgumentException(
          "limit must be positive; "
              + options.limit()
              + " was given. Omit it to list every entry.");
    }
    requireWellFormed("start", options.start());
    requireWellFormed("startAfter", options.startAfter());
    requireWellFormed("end", options.end());
    requireWellFormed("prefix", options.prefix());
  }

  private static void requireWellFormed(String name, String bound) {
    if (bound != null) {
      int bad = Utf8Order.firstUnpairedSurrogate(bound);
      if (bad >= 0) {
        throw new InvalidArgumentException(
            "The list option "
                + name
                + " must be valid Unicode; it has an unpaired surrogate at index "
                + bad
                + ".");
      }
    }
  }

  /**
   * The ascending view of {@code map} selected by the range and prefix of {@code options} (which
   * must have passed {@link #validate}); order and limit are the caller's.
   */
  static <V> NavigableMap<String, V> select(NavigableMap<String, V> map, ListOptions options) {
    String lower = null;
    boolean lowerInclusive = true;
    if (options.start() != null) {
      lower = options.start();
    } else if (options.startAfter() != null) {
      lower = options.startAfter();
      lowerInclusive = false;
    }
    String upper = options.end();
    String prefix = options.prefix();
    if (prefix != null && !prefix.isEmpty()) {
      if (lower == null || Utf8Order.COMPARATOR.compare(prefix, lower) > 0) {
        lower = prefix;
        lowerInclusive = true;
      }
      String successor = Utf8Order.successorOfPrefix(prefix);
      if (successor != null
          && (upper == null || Utf8Order.COMPARATOR.compare(successor, upper) < 0)) {
        upper = successor;
      }
    }
    if (lower == null) {
      return upper == null ? map : map.headMap(upper, false);
    }
    if (upper == null) {
      return map.tailMap(lower, lowerInclusive);
    }
    if (Utf8Order.COMPARATOR.compare(lower, upper) >= 0) {
      return Collections.emptyNavigableMap();
    }
    return map.subMap(lower, lowerInclusive, upper, false);
  }
}

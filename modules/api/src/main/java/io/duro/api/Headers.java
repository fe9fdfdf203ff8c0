package io.duro.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Immutable HTTP headers: names are case-insensitive, a name may have several values.
 *
 * <pre>{@code
 * Headers headers = Headers.of("Content-Type", "application/json").with("X-Trace", "abc");
 * headers.first("content-type");   // Optional[application/json]
 * }</pre>
 */
public final class Headers {

  /** No headers. */
  public static final Headers EMPTY = new Headers(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));

  private final TreeMap<String, List<String>> values;

  private Headers(TreeMap<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Headers with one value.
   *
   * @param name the header name
   * @param value its value
   * @return the headers
   */
  public static Headers of(String name, String value) {
    return EMPTY.with(name, value);
  }

  /**
   * Headers from a map of names to values.
   *
   * @param map names to their values
   * @return the headers
   */
  public static Headers of(Map<String, List<String>> map) {
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    map.forEach(
        (name, list) -> {
          checkName(name);
          copy.merge(name, List.copyOf(list), Headers::concat);
        });
    return new Headers(copy);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidArgumentException("A header name cannot be null or empty");
    }
  }

  /**
   * A copy with one more value for {@code name}.
   *
   * @param name the header name
   * @param value the value to add
   * @return the new headers
   */
  public Headers with(String name, String value) {
    checkName(name);
    if (value == null) {
      throw new InvalidArgumentException("The value of header '" + name + "' cannot be null");
    }
    TreeMap<String, List<String>> copy = new TreeMap<>(values);
    copy.merge(name, List.of(value), Headers::concat);
    return new Headers(copy);
  }

  /**
   * A copy where {@code name} has only {@code value}.
   *
   * @param name the header name
   * @param value its only value
   * @return the new headers
   */
  public Headers set(String name, String value) {
    return without(name).with(name, value);
  }

  /**
   * A copy without {@code name}.
   *
   * @param name the header name
   * @return the new headers
   */
  public Headers without(String name) {
    TreeMap<String, List<String>> copy = new TreeMap<>(values);
    copy.remove(name);
    return new Headers(copy);
  }

  /**
   * The first value of a header.
   *
   * @param name case-insensitive name
   * @return the value, or empty
   */
  public Optional<String> first(String name) {
    List<String> list = values.get(name);
    return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  /**
   * Every value of a header.
   *
   * @param name case-insensitive name
   * @return the values, possibly empty
   */
  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  /**
   * Every header, names in case-insensitive order.
   *
   * @return an unmodifiable view
   */
  public Map<String, List<String>> asMap() {
    return Collections.unmodifiableMap(values);
  }

  /**
   * Whether there are no headers.
   *
   * @return true when empty
   */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers other && other.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}

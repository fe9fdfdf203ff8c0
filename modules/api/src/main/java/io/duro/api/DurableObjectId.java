package io.duro.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The globally unique ID of a Durable Object: 64 lowercase hexadecimal digits. Obtain IDs from a
 * {@link Namespace}; an ID is only valid in the namespace that made it.
 *
 * <pre>{@code
 * DurableObjectId id = env.namespace("ROOMS").idFromName("lobby");
 * String hex = id.toString();          // store or send it
 * Optional<String> name = id.name();   // Optional[lobby]
 * }</pre>
 */
public final class DurableObjectId {

  private final String hex;
  private final String name;

  /**
   * Wraps an ID made by a namespace. User code should call {@link Namespace#idFromName}, {@link
   * Namespace#newUniqueId} or {@link Namespace#idFromString} instead.
   *
   * @param hex 64 lowercase hex digits
   * @param name the name it was derived from, or null
   * @throws InvalidIdException if {@code hex} is not 64 lowercase hex digits
   */
  public DurableObjectId(String hex, String name) {
    if (!isWellFormed(hex)) {
      throw new InvalidIdException(
          "A Durable Object ID is 64 lowercase hexadecimal digits; got "
              + (hex == null ? "null" : "'" + abbreviate(hex) + "' (" + hex.length() + " chars)"));
    }
    this.hex = hex;
    this.name = name;
  }

  /**
   * Tells whether a string has the shape of an ID (64 lowercase hex digits).
   *
   * @param hex the candidate
   * @return true when well formed
   */
  public static boolean isWellFormed(String hex) {
    if (hex == null || hex.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /**
   * The name this ID was derived from by {@link Namespace#idFromName}.
   *
   * @return the name, or empty for unique IDs and IDs parsed from strings
   */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /**
   * The 64 hex digits.
   *
   * @return the ID as a string
   */
  @Override
  public String toString() {
    return hex;
  }

  /** IDs are equal when their hex digits are, whatever their names. */
  @Override
  public boolean equals(Object o) {
    return o instanceof DurableObjectId other && other.hex.equals(hex);
  }

  @Override
  public int hashCode() {
    return Objects.hash(hex);
  }
}

package io.duro.examples;

import io.duro.api.InvalidArgumentException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An edit of a plain text in the form of ot.js: a list of components that walks the whole text — a
 * positive number retains that many characters, a negative number deletes that many, a string
 * inserts itself. Lengths count UTF-16 code units, as JavaScript strings and Java strings do, so
 * the browser and the object agree on positions.
 *
 * <p>{@link #transform} is ot.js's: for two operations on the same text, {@code a} and {@code b},
 * it returns {@code a'} and {@code b'} with {@code apply(apply(s, a), b') == apply(apply(s, b),
 * a')}; at the same position {@code a}'s insert comes first. {@code CollabDoc} and its page use it
 * the same way: {@code a} is the client's operation, {@code b} the one the object already applied.
 * Immutable; every failure is an {@link InvalidArgumentException} saying what is wrong.
 */
final class TextOperation {

  private final List<Object> ops;
  private final int baseLength;
  private final int targetLength;

  private TextOperation(List<Object> ops, int baseLength, int targetLength) {
    this.ops = Collections.unmodifiableList(ops);
    this.baseLength = baseLength;
    this.targetLength = targetLength;
  }

  /**
   * Reads an operation from its JSON form (a list of integers and strings).
   *
   * @throws InvalidArgumentException naming the component that is not a non-zero integer or a
   *     non-empty string
   */
  static TextOperation fromJson(Object json) {
    if (!(json instanceof List<?> list)) {
      throw new InvalidArgumentException(
          "An operation is a JSON array of retains (n > 0), deletes (n < 0) and inserts (strings);"
              + " got "
              + describe(json));
    }
    Builder b = new Builder();
    for (int i = 0; i < list.size(); i++) {
      Object c = list.get(i);
      if (c instanceof String s && !s.isEmpty()) {
        b.insert(s);
      } else if ((c instanceof Integer || c instanceof Long)
          && ((Number) c).longValue() != 0
          && Math.abs(((Number) c).longValue()) <= Integer.MAX_VALUE) {
        int n = ((Number) c).intValue();
        if (n > 0) {
          b.retain(n);
        } else {
          b.delete(-n);
        }
      } else {
        throw new InvalidArgumentException(
            "Component "
                + i
                + " of the operation must be a non-zero integer or a non-empty string; got "
                + describe(c));
      }
    }
    return b.build();
  }

  /** An operation built component by component, merged and normalized as in ot.js. */
  static final class Builder {
    private final List<Object> ops = new ArrayList<>();
    private int base;
    private int target;

    Builder retain(int n) {
      if (n == 0) {
        return this;
      }
      base += n;
      target += n;
      if (!ops.isEmpty() && ops.get(ops.size() - 1) instanceof Integer last && last > 0) {
        ops.set(ops.size() - 1, last + n);
      } else {
        ops.add(n);
      }
      return this;
    }

    Builder insert(String s) {
      if (s.isEmpty()) {
        return this;
      }
      target += s.length();
      int last = ops.size() - 1;
      if (last >= 0 && ops.get(last) instanceof String prev) {
        ops.set(last, prev + s);
      } else if (last >= 0 && ops.get(last) instanceof Integer d && d < 0) {
        // an insert goes before an adjacent delete, so equal edits have one form
        if (last >= 1 && ops.get(last - 1) instanceof String prev) {
          ops.set(last - 1, prev + s);
        } else {
          ops.add(last, s);
        }
      } else {
        ops.add(s);
      }
      return this;
    }

    Builder delete(int n) {
      if (n == 0) {
        return this;
      }
      base += n;
      if (!ops.isEmpty() && ops.get(ops.size() - 1) instanceof Integer last && last < 0) {
        ops.set(ops.size() - 1, last - n);
      } else {
        ops.add(-n);
      }
      return this;
    }

    TextOperation build() {
      return new TextOperation(ops, base, target);
    }
  }

  /** The length of the text this operation applies to. */
  int baseLength() {
    return baseLength;
  }

  /** The length of the text it produces. */
  int targetLength() {
    return targetLength;
  }

  /** True if it changes nothing. */
  boolean isNoop() {
    return ops.isEmpty() || (ops.size() == 1 && ops.get(0) instanceof Integer n && n > 0);
  }

  /** The JSON form: integers and strings. */
  List<Object> toJson() {
    return ops;
  }

  /**
   * Applies the operation.
   *
   * @throws InvalidArgumentException if the text's length is not the operation's base length
   */
  String apply(String text) {
    if (text.length() != baseLength) {
      throw new InvalidArgumentException(
          "The operation applies to a text of "
              + baseLength
              + " characters, but the text has "
              + text.length());
    }
    StringBuilder out = new StringBuilder(targetLength);
    int at = 0;
    for (Object c : ops) {
      if (c instanceof String s) {
        out.append(s);
      } else {
        int n = (Integer) c;
        if (n > 0) {
          out.append(text, at, at + n);
          at += n;
        } else {
          at -= n;
        }
      }
    }
    return out.toString();
  }

  /**
   * Transforms two operations on the same text against each other.
   *
   * @return {@code [a', b']}: {@code a'} applies after {@code b}, {@code b'} after {@code a}
   * @throws InvalidArgumentException if their base lengths differ
   */
  static TextOperation[] transform(TextOperation a, TextOperation b) {
    if (a.baseLength != b.baseLength) {
      throw new InvalidArgumentException(
          "Both operations must apply to the same text: one applies to "
              + a.baseLength
              + " characters, the other to "
              + b.baseLength);
    }
    Builder ap = new Builder();
    Builder bp = new Builder();
    List<Object> as = a.ops;
    List<Object> bs = b.ops;
    int i = 0;
    int j = 0;
    Object x = i < as.size() ? as.get(i++) : null;
    Object y = j < bs.size() ? bs.get(j++) : null;
    while (x != null || y != null) {
      if (x instanceof String s) {
        ap.insert(s);
        bp.retain(s.length());
        x = i < as.size() ? as.get(i++) : null;
        continue;
      }
      if (y instanceof String s) {
        ap.retain(s.length());
        bp.insert(s);
        y = j < bs.size() ? bs.get(j++) : null;
        continue;
      }
      int p = (Integer) x; // both are non-null: the base lengths are equal
      int q = (Integer) y;
      int n = Math.min(Math.abs(p), Math.abs(q));
      if (p > 0 && q > 0) {
        ap.retain(n);
        bp.retain(n);
      } else if (p < 0 && q < 0) {
        // both deleted the same characters: nothing left to do
      } else if (p < 0) {
        ap.delete(n);
      } else {
        bp.delete(n);
      }
      p = p > 0 ? p - n : p + n;
      q = q > 0 ? q - n : q + n;
      x = p != 0 ? (Object) p : i < as.size() ? as.get(i++) : null;
      y = q != 0 ? (Object) q : j < bs.size() ? bs.get(j++) : null;
    }
    return new TextOperation[] {ap.build(), bp.build()};
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    String s = String.valueOf(value);
    return (s.length() > 40 ? s.substring(0, 40) + "…" : s)
        + " ("
        + value.getClass().getSimpleName()
        + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TextOperation t && t.ops.equals(ops);
  }

  @Override
  public int hashCode() {
    return ops.hashCode();
  }

  @Override
  public String toString() {
    return ops.toString();
  }
}

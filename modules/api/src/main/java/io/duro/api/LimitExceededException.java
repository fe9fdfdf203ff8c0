package io.duro.api;

/**
 * A configured limit was exceeded; nothing was written. The message names the limit, the size
 * that was given and the maximum.
 *
 * <pre>{@code
 * try {
 *   storage.put("doc", hugeDocument);
 * } catch (LimitExceededException e) {
 *   // e.limit() == "value size", e.actual() == 200000, e.max() == 131072
 * }
 * }</pre>
 */
public final class LimitExceededException extends DuroException {

  private static final long serialVersionUID = 1L;

  private final String limit;
  private final long actual;
  private final long max;

  /**
   * Creates the exception.
   *
   * @param limit the name of the limit, e.g. {@code "key size"}
   * @param actual the size or count that was given
   * @param max the largest allowed size or count
   * @param message the full explanation
   */
  public LimitExceededException(String limit, long actual, long max, String message) {
    super(message);
    this.limit = limit;
    this.actual = actual;
    this.max = max;
  }

  @Override
  public String code() {
    return "limit_exceeded";
  }

  /**
   * The name of the limit.
   *
   * @return e.g. {@code "value size"}
   */
  public String limit() {
    return limit;
  }

  /**
   * The size or count that was given.
   *
   * @return the actual value
   */
  public long actual() {
    return actual;
  }

  /**
   * The largest allowed size or count.
   *
   * @return the maximum
   */
  public long max() {
    return max;
  }
}

package io.duro.api;

/**
 * Which keys {@link Storage#list(ListOptions, Class)} returns. Keys are ordered by their UTF-8
 * bytes (which is Unicode code point order, not Java's UTF-16 {@code String} order).
 *
 * <ul>
 *   <li>{@code start}: first key, inclusive; {@code startAfter}: exclusive lower bound. Not both.
 *   <li>{@code end}: exclusive upper bound.
 *   <li>{@code prefix}: only keys starting with it.
 *   <li>{@code reverse}: descending order; the bounds keep their meaning.
 *   <li>{@code limit}: at most this many entries ({@code > 0}); null means no limit.
 * </ul>
 *
 * Bad combinations are rejected with {@link InvalidArgumentException} even when the range is
 * empty.
 *
 * <pre>{@code
 * Map<String, Message> last10 = storage.list(
 *     ListOptions.builder().prefix("msg:").reverse(true).limit(10).build(), Message.class);
 * }</pre>
 *
 * @param start inclusive lower bound, or null
 * @param startAfter exclusive lower bound, or null
 * @param end exclusive upper bound, or null
 * @param prefix required key prefix, or null
 * @param reverse descending order when true
 * @param limit maximum number of entries, or null for no limit
 */
public record ListOptions(
    String start, String startAfter, String end, String prefix, boolean reverse, Integer limit) {

  /** Every key, ascending. */
  public static final ListOptions ALL = new ListOptions(null, null, null, null, false, null);

  /**
   * Starts a builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Shorthand for a prefix listing.
   *
   * @param prefix the key prefix
   * @return the options
   */
  public static ListOptions prefix(String prefix) {
    return new ListOptions(null, null, null, prefix, false, null);
  }

  /**
   * Builds {@link ListOptions}.
   *
   * <pre>{@code
   * ListOptions.builder().start("a").end("n").limit(100).build();
   * }</pre>
   */
  public static final class Builder {
    private String start;
    private String startAfter;
    private String end;
    private String prefix;
    private boolean reverse;
    private Integer limit;

    private Builder() {}

    /**
     * Inclusive lower bound.
     *
     * @param start the first key
     * @return this builder
     */
    public Builder start(String start) {
      this.start = start;
      return this;
    }

    /**
     * Exclusive lower bound.
     *
     * @param startAfter the key after which to start
     * @return this builder
     */
    public Builder startAfter(String startAfter) {
      this.startAfter = startAfter;
      return this;
    }

    /**
     * Exclusive upper bound.
     *
     * @param end the first key not included
     * @return this builder
     */
    public Builder end(String end) {
      this.end = end;
      return this;
    }

    /**
     * Required prefix.
     *
     * @param prefix the prefix
     * @return this builder
     */
    public Builder prefix(String prefix) {
      this.prefix = prefix;
      return this;
    }

    /**
     * Descending order.
     *
     * @param reverse true for descending
     * @return this builder
     */
    public Builder reverse(boolean reverse) {
      this.reverse = reverse;
      return this;
    }

    /**
     * Maximum number of entries.
     *
     * @param limit a positive count
     * @return this builder
     */
    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /**
     * Builds the options (validation happens when they are used).
     *
     * @return the options
     */
    public ListOptions build() {
      return new ListOptions(start, startAfter, end, prefix, reverse, limit);
    }
  }
}

package io.duro.api;

/**
 * Cloudflare's per-call storage options.
 *
 * <ul>
 *   <li>{@code allowUnconfirmed}: the write does not hold the output gate — a response may leave
 *       before this write is durable (earlier confirmed writes still hold it). If the write then
 *       fails, the object is reset as usual.
 *   <li>{@code allowConcurrency}: accepted for compatibility. Duro serves every read from memory,
 *       so a read never suspends the turn and never closes the input gate; the option changes
 *       nothing.
 *   <li>{@code noCache}: accepted for compatibility. Duro keeps an object's whole storage in
 *       memory while the object is active; the option changes nothing.
 * </ul>
 *
 * <pre>{@code
 * storage.put("lastSeen", Instant.now().toString(), StorageOptions.DEFAULT.withAllowUnconfirmed());
 * }</pre>
 *
 * @param allowConcurrency see above
 * @param allowUnconfirmed see above
 * @param noCache see above
 */
public record StorageOptions(boolean allowConcurrency, boolean allowUnconfirmed, boolean noCache) {

  /** All options off: the write holds the output gate until it is durable. */
  public static final StorageOptions DEFAULT = new StorageOptions(false, false, false);

  /**
   * A copy with {@code allowUnconfirmed} on.
   *
   * @return the options
   */
  public StorageOptions withAllowUnconfirmed() {
    return new StorageOptions(allowConcurrency, true, noCache);
  }

  /**
   * A copy with {@code allowConcurrency} on.
   *
   * @return the options
   */
  public StorageOptions withAllowConcurrency() {
    return new StorageOptions(true, allowUnconfirmed, noCache);
  }

  /**
   * A copy with {@code noCache} on.
   *
   * @return the options
   */
  public StorageOptions withNoCache() {
    return new StorageOptions(allowConcurrency, allowUnconfirmed, true);
  }
}

package io.duro.api.spi;

/**
 * The JSON codec behind {@code Request.json}, {@code Response.json} and friends, found with {@link
 * java.util.ServiceLoader}. The Duro runtime provides one backed by Jackson; user code never
 * implements it.
 *
 * <pre>{@code
 * JsonCodec codec = ServiceLoader.load(JsonCodec.class).findFirst().orElseThrow();
 * byte[] json = codec.write(Map.of("value", 1));
 * }</pre>
 */
public interface JsonCodec {

  /**
   * Serializes a value to JSON.
   *
   * @param value the value
   * @return UTF-8 JSON
   * @throws io.duro.api.InvalidArgumentException if the value cannot be serialized
   */
  byte[] write(Object value);

  /**
   * Reads JSON.
   *
   * @param json UTF-8 JSON
   * @param type the target class
   * @param <T> the target type
   * @return the value
   * @throws io.duro.api.InvalidArgumentException if the JSON is malformed or does not fit the type
   */
  <T> T read(byte[] json, Class<T> type);
}

package io.duro.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.duro.api.InvalidArgumentException;
import java.io.IOException;
import java.util.Arrays;

/**
 * Turns stored values into bytes and back: {@code byte[]} values are stored raw, anything else as
 * Jackson JSON.
 *
 * <p>Encoded form: the first byte is a tag ({@code 0} = raw bytes, {@code 1} = JSON), the rest is
 * the payload. Encoding never returns an array the caller still holds and decoding raw bytes
 * returns a fresh copy, so stored arrays are never mutated. Every failure is an {@link
 * InvalidArgumentException} whose message does not depend on the key (callers add it).
 */
public final class ValueCodec {

  static final byte RAW = 0;
  static final byte JSON = 1;

  private static final byte[] JSON_NULL = {'n', 'u', 'l', 'l'};

  private final ObjectMapper mapper;

  private ValueCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * A codec with Duro's mapper: {@code JavaTimeModule} and {@code Jdk8Module}, dates and durations
   * as ISO-8601 strings, {@code FAIL_ON_EMPTY_BEANS} on.
   *
   * @return a new codec
   */
  public static ValueCodec create() {
    return new ValueCodec(newMapper());
  }

  /** A new mapper with Duro's configuration (shared by {@link JacksonJsonCodec}). */
  public static ObjectMapper newMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .registerModule(new Jdk8Module())
        .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
  }

  /**
   * Encodes a value.
   *
   * @param value a non-null {@code byte[]} or Jackson-serializable value
   * @return the tagged encoded form
   * @throws InvalidArgumentException if the value is null, serializes to JSON {@code null}, or
   *     cannot be serialized
   */
  public byte[] encode(Object value) {
    if (value == null) {
      throw new InvalidArgumentException(
          "Values cannot be null; use delete(key) to remove a key.");
    }
    if (value instanceof byte[]) {
      byte[] raw = (byte[]) value;
      byte[] encoded = new byte[raw.length + 1];
      encoded[0] = RAW;
      System.arraycopy(raw, 0, encoded, 1, raw.length);
      return encoded;
    }
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException(
          "Values must be serializable with Jackson; a "
              + value.getClass().getName()
              + " is not: "
              + e.getOriginalMessage(),
          e);
    } catch (RuntimeException e) {
      throw new InvalidArgumentException(
          "Values must be serializable with Jackson; a "
              + value.getClass().getName()
              + " is not: "
              + e,
          e);
    }
    if (Arrays.equals(json, JSON_NULL)) {
      throw new InvalidArgumentException(
          "Values cannot serialize to null; a "
              + value.getClass().getName()
              + " did. Use delete(key) to remove a key.");
    }
    byte[] encoded = new byte[json.length + 1];
    encoded[0] = JSON;
    System.arraycopy(json, 0, encoded, 1, json.length);
    return encoded;
  }

  /**
   * Decodes a value.
   *
   * @param encoded the tagged form made by {@link #encode}
   * @param type the class to read ({@code byte[].class} for raw bytes; {@code Object.class} reads
   *     raw bytes as {@code byte[]} and JSON as maps, lists, strings and numbers)
   * @param <T> the value type
   * @return the value
   * @throws InvalidArgumentException if the value cannot be read as {@code type}
   */
  @SuppressWarnings("unchecked")
  public <T> T decode(byte[] encoded, Class<T> type) {
    if (type == null) {
      throw new InvalidArgumentException("The value type cannot be null; pass e.g. String.class.");
    }
    if (encoded == null || encoded.length == 0) {
      throw new InvalidArgumentException("The stored value is empty and so corrupt.");
    }
    switch (encoded[0]) {
      case RAW:
        if (type == byte[].class || type == Object.class) {
          return (T) Arrays.copyOfRange(encoded, 1, encoded.length);
        }
        throw new InvalidArgumentException(
            "The value was stored as raw bytes and cannot be read as "
                + type.getName()
                + "; read it with byte[].class.");
      case JSON:
        try {
          T value = mapper.readValue(encoded, 1, encoded.length - 1, type);
          if (value == null) {
            throw new InvalidArgumentException(
                "The stored JSON value is null and cannot be read as " + type.getName() + ".");
          }
          return value;
        } catch (IOException e) {
          throw new InvalidArgumentException(
              "The value cannot be read as "
                  + type.getName()
                  + ": "
                  + (e instanceof JsonProcessingException
                      ? ((JsonProcessingException) e).getOriginalMessage()
                      : e.getMessage()),
              e);
        }
      default:
        throw new InvalidArgumentException(
            "The stored value has unknown tag " + encoded[0] + " and so is corrupt.");
    }
  }

  /**
   * The mapper used for JSON values (configured as described at {@link #create()}).
   *
   * @return the mapper; do not reconfigure it
   */
  public ObjectMapper mapper() {
    return mapper;
  }
}

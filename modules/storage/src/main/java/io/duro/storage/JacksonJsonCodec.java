package io.duro.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.duro.api.InvalidArgumentException;
import io.duro.api.spi.JsonCodec;
import java.io.IOException;

/**
 * The Jackson-backed {@link JsonCodec} behind {@code Request.json} and {@code Response.json},
 * registered with {@link java.util.ServiceLoader} so it works wherever duro-storage is on the
 * class path.
 *
 * <p>It uses the same mapper configuration as stored values ({@link ValueCodec#create()}), so a
 * value that can be stored can be sent as JSON and back. Every failure is an {@link
 * InvalidArgumentException} naming the class and Jackson's reason.
 */
public final class JacksonJsonCodec implements JsonCodec {

  private final ObjectMapper mapper;

  /** Creates the codec (called by {@link java.util.ServiceLoader}). */
  public JacksonJsonCodec() {
    this.mapper = ValueCodec.newMapper();
  }

  @Override
  public byte[] write(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException(
          "Cannot write a " + className(value) + " as JSON: " + e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      throw new InvalidArgumentException(
          "Cannot write a " + className(value) + " as JSON: " + e, e);
    }
  }

  @Override
  public <T> T read(byte[] json, Class<T> type) {
    if (json == null || type == null) {
      throw new InvalidArgumentException("Cannot read JSON: the bytes and type must not be null.");
    }
    try {
      return mapper.readValue(json, type);
    } catch (IOException e) {
      String reason =
          e instanceof JsonProcessingException
              ? ((JsonProcessingException) e).getOriginalMessage()
              : e.getMessage();
      throw new InvalidArgumentException(
          "Cannot read JSON as " + type.getName() + ": " + reason, e);
    }
  }

  private static String className(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}

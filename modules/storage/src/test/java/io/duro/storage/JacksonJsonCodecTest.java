package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.duro.api.InvalidArgumentException;
import io.duro.api.spi.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class JacksonJsonCodecTest {

  record Event(String name, Instant at) {}

  static final class NoProperties {}

  @Test
  void serviceLoaderFindsTheCodec() {
    JsonCodec codec = ServiceLoader.load(JsonCodec.class).findFirst().orElseThrow();
    assertInstanceOf(JacksonJsonCodec.class, codec);
  }

  @Test
  void valuesRoundTripWithIsoDates() {
    JacksonJsonCodec codec = new JacksonJsonCodec();
    Event event = new Event("opened", Instant.parse("2026-01-02T03:04:05Z"));
    byte[] json = codec.write(event);
    assertEquals(
        "{\"name\":\"opened\",\"at\":\"2026-01-02T03:04:05Z\"}",
        new String(json, StandardCharsets.UTF_8));
    assertEquals(event, codec.read(json, Event.class));
    assertEquals(Map.of("a", 1), codec.read(codec.write(Map.of("a", 1)), Map.class));
  }

  @Test
  void malformedJsonFailsWithInvalidArgument() {
    JacksonJsonCodec codec = new JacksonJsonCodec();
    byte[] bad = "{oops".getBytes(StandardCharsets.UTF_8);
    assertThrows(InvalidArgumentException.class, () -> codec.read(bad, Map.class));
  }

  @Test
  void unserializableValueFailsWithInvalidArgument() {
    assertThrows(
        InvalidArgumentException.class, () -> new JacksonJsonCodec().write(new NoProperties()));
  }
}

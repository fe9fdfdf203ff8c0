package io.duro.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

  record Point(int x, int y) {}

  static final class NoProperties {}

  static final class ThrowingGetter {
    public String getName() {
      throw new IllegalStateException("boom");
    }
  }

  private final ValueCodec codec = ValueCodec.create();

  @Test
  void bytesAreStoredRawBehindTagZero() {
    byte[] encoded = codec.encode(new byte[] {5, 6});
    assertArrayEquals(new byte[] {0, 5, 6}, encoded);
    assertArrayEquals(new byte[] {5, 6}, codec.decode(encoded, byte[].class));
    assertArrayEquals(new byte[] {5, 6}, (byte[]) codec.decode(encoded, Object.class));
  }

  @Test
  void decodedBytesAreACopy() {
    byte[] encoded = codec.encode(new byte[] {1});
    byte[] first = codec.decode(encoded, byte[].class);
    first[0] = 9;
    assertArrayEquals(new byte[] {1}, codec.decode(encoded, byte[].class));
    assertNotSame(first, codec.decode(encoded, byte[].class));
  }

  @Test
  void otherValuesAreStoredAsJsonBehindTagOne() {
    byte[] encoded = codec.encode(new Point(1, 2));
    assertEquals(1, encoded[0]);
    assertEquals(
        "{\"x\":1,\"y\":2}", new String(encoded, 1, encoded.length - 1, StandardCharsets.UTF_8));
    assertEquals(new Point(1, 2), codec.decode(encoded, Point.class));
    assertEquals(42L, codec.decode(codec.encode(42L), Long.class));
    assertEquals("hi", codec.decode(codec.encode("hi"), String.class));
    assertEquals(List.of(1, 2), codec.decode(codec.encode(List.of(1, 2)), List.class));
    assertEquals(Map.of("a", 1), codec.decode(codec.encode(Map.of("a", 1)), Object.class));
  }

  @Test
  void datesAreIsoStrings() {
    Instant at = Instant.parse("2026-03-01T10:15:30.123Z");
    byte[] encoded = codec.encode(at);
    assertEquals(
        "\"2026-03-01T10:15:30.123Z\"",
        new String(encoded, 1, encoded.length - 1, StandardCharsets.UTF_8));
    assertEquals(at, codec.decode(encoded, Instant.class));
    assertEquals(Optional.of("x"), codec.decode(codec.encode(Optional.of("x")), Optional.class));
  }

  @Test
  void nullValueIsRejectedPointingToDelete() {
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> codec.encode(null));
    assertTrue(e.getMessage().contains("delete"), e.getMessage());
  }

  @Test
  void valueSerializingToNullIsRejected() {
    assertThrows(InvalidArgumentException.class, () -> codec.encode(Optional.empty()));
  }

  @Test
  void classWithoutPropertiesIsRejectedNamingTheClass() {
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> codec.encode(new NoProperties()));
    assertTrue(e.getMessage().contains(NoProperties.class.getName()), e.getMessage());
  }

  @Test
  void throwingGetterIsRejectedWithJacksonsReason() {
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> codec.encode(new ThrowingGetter()));
    assertTrue(e.getMessage().contains(ThrowingGetter.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains("boom"), e.getMessage());
  }

  @Test
  void rawBytesReadAsStringFail() {
    InvalidArgumentException e =
        assertThrows(
            InvalidArgumentException.class,
            () -> codec.decode(codec.encode(new byte[] {1}), String.class));
    assertTrue(e.getMessage().contains("byte[]"), e.getMessage());
  }

  @Test
  void jsonThatDoesNotFitTheTypeFails() {
    InvalidArgumentException e =
        assertThrows(
            InvalidArgumentException.class, () -> codec.decode(codec.encode("x"), Point.class));
    assertTrue(e.getMessage().contains(Point.class.getName()), e.getMessage());
  }

  @Test
  void corruptEncodingsFail() {
    assertThrows(InvalidArgumentException.class, () -> codec.decode(new byte[0], String.class));
    assertThrows(
        InvalidArgumentException.class, () -> codec.decode(new byte[] {7, 1}, String.class));
  }
}

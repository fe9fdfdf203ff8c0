package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

/** Assertions the example tests share. */
final class ExampleAssertions {

  private ExampleAssertions() {}

  /** The response is the gateway's JSON error with this status and code. */
  static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.body().startsWith("{\"error\":\"" + code + "\""), r.body());
  }
}

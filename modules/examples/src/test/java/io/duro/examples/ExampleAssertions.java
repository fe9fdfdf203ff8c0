package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import java.net.http.HttpResponse;

/** Assertions the example tests share. */
final class ExampleAssertions {

  private ExampleAssertions() {}

  /** The response is the gateway's JSON error with this status and code. */
  static void assertError(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.body().startsWith("{\"error\":\"" + code + "\""), r.body());
  }

  /**
   * Polls {@code GET path} until its body shows {@code part}: for what an object does after the
   * event that caused it was answered (a leave, a move that gets no answer).
   */
  static void awaitBody(DuroExtension node, String path, String part) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    String body = "";
    while (System.nanoTime() < deadline) {
      body = node.send("GET", path, null).body();
      if (body.contains(part)) {
        return;
      }
      Thread.sleep(20); // the poll interval of an awaited condition
    }
    throw new AssertionError(path + " never showed " + part + ": " + body);
  }
}

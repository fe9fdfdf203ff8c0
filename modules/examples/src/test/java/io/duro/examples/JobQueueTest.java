package io.duro.examples;

import static io.duro.examples.ExampleAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sequential queue over real HTTP: order, visibility timeouts, backoff, dead letters. */
class JobQueueTest {

  @RegisterExtension
  static DuroExtension duro = DuroExtension.builder().bind("queue", JobQueue.class).build();

  private static void enqueue(String queue, String payload) {
    HttpResponse<String> r =
        duro.send("POST", "/queue/" + queue + "/jobs", "{\"payload\":" + payload + "}");
    assertEquals(201, r.statusCode(), r.body());
  }

  private static String pull(String queue, String worker, long visibilityMs) {
    HttpResponse<String> r =
        duro.send(
            "POST",
            "/queue/" + queue + "/pull",
            "{\"worker\":\"" + worker + "\",\"visibilityMs\":" + visibilityMs + "}");
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static HttpResponse<String> ack(String queue, String receipt) {
    return duro.send("POST", "/queue/" + queue + "/ack", "{\"receipt\":\"" + receipt + "\"}");
  }

  @Test
  void jobsAreHandedOutStrictlyInOrderOneAtATime() {
    enqueue("q1", "\"first\"");
    enqueue("q1", "{\"n\":2}");
    String first = pull("q1", "w1", 30_000);
    assertTrue(
        first.startsWith("{\"job\":{\"id\":1,\"payload\":\"first\",\"attempt\":1,\"receipt\":\"1.1\""),
        first);
    assertTrue(pull("q1", "w2", 30_000).startsWith("{\"job\":null,\"reason\":\"in_flight\""));
    HttpResponse<String> acked = ack("q1", "1.1");
    assertEquals("{\"acked\":1,\"pending\":1}", acked.body());
    assertTrue(pull("q1", "w2", 30_000).startsWith("{\"job\":{\"id\":2,\"payload\":{\"n\":2}"));
    assertEquals(200, ack("q1", "2.1").statusCode());
    assertEquals("{\"job\":null,\"reason\":\"empty\"}", pull("q1", "w1", 30_000));
    assertError(ack("q1", "2.1"), 409, "stale_receipt");
  }

  @Test
  void unackedJobIsTakenBackByTheAlarmAndRedeliveredFirstAfterABackoff() {
    enqueue("q2", "\"a\"");
    enqueue("q2", "\"b\"");
    assertTrue(pull("q2", "crashing", 5_000).contains("\"receipt\":\"1.1\""));
    duro.advanceTime(Duration.ofSeconds(5)); // no ack: the visibility timeout ends
    assertError(ack("q2", "1.1"), 409, "stale_receipt");
    String waiting = pull("q2", "w2", 5_000);
    assertTrue(waiting.startsWith("{\"job\":null,\"reason\":\"backoff\""), waiting);
    duro.advanceTime(Duration.ofSeconds(1)); // the first backoff is 1 s
    String again = pull("q2", "w2", 5_000);
    assertTrue(
        again.startsWith("{\"job\":{\"id\":1,\"payload\":\"a\",\"attempt\":2,\"receipt\":\"1.2\""),
        again);
    assertEquals(200, ack("q2", "1.2").statusCode());
    assertTrue(pull("q2", "w2", 5_000).startsWith("{\"job\":{\"id\":2,"));
  }

  @Test
  void jobFailingEveryAttemptGoesToTheDeadLettersAndTheQueueMovesOn() {
    assertEquals(
        200, duro.send("PUT", "/queue/q3/config", "{\"maxAttempts\":2,\"backoffMs\":100}").statusCode());
    enqueue("q3", "\"poison\"");
    enqueue("q3", "\"next\"");
    pull("q3", "w", 1_000);
    HttpResponse<String> nack = duro.send("POST", "/queue/q3/nack", "{\"receipt\":\"1.1\"}");
    assertEquals(200, nack.statusCode(), nack.body());
    duro.advanceTime(Duration.ofMillis(100));
    assertTrue(pull("q3", "w", 1_000).contains("\"receipt\":\"1.2\""));
    duro.advanceTime(Duration.ofSeconds(1)); // second attempt times out: given up
    String next = pull("q3", "w", 1_000);
    assertTrue(next.startsWith("{\"job\":{\"id\":2,\"payload\":\"next\""), next);
    String status = duro.send("GET", "/queue/q3", null).body();
    assertTrue(status.contains("\"dead\":[{\"id\":1,\"payload\":\"poison\",\"attempts\":2"), status);
  }

  @Test
  void pendingJobsSurviveHibernationAndARestart() {
    enqueue("q4", "\"kept\"");
    duro.hibernate("queue", "q4");
    assertTrue(duro.send("GET", "/queue/q4", null).body().startsWith("{\"pending\":1,"));
    duro.restart();
    assertTrue(pull("q4", "w", 1_000).startsWith("{\"job\":{\"id\":1,\"payload\":\"kept\""));
  }

  @Test
  void badInputIs4xxAndChangesNothing() {
    assertError(duro.send("POST", "/queue/q5/jobs", "{}"), 400, "invalid_argument");
    assertError(duro.send("POST", "/queue/q5/jobs", "nope"), 400, "invalid_argument");
    assertError(
        duro.send("POST", "/queue/q5/pull", "{\"worker\":\"\",\"visibilityMs\":10}"),
        400,
        "invalid_argument");
    assertError(
        duro.send("POST", "/queue/q5/pull", "{\"worker\":\"w\",\"visibilityMs\":0}"),
        400,
        "invalid_argument");
    assertError(duro.send("POST", "/queue/q5/ack", "{}"), 400, "invalid_argument");
    assertError(duro.send("PUT", "/queue/q5/config", "{\"maxAttempts\":0}"), 400, "invalid_argument");
    assertError(duro.send("GET", "/queue/q5/pull", null), 405, "method_not_allowed");
    assertError(duro.send("GET", "/queue/q5/x", null), 404, "not_found");
    assertTrue(duro.send("GET", "/queue/q5", null).body().startsWith("{\"pending\":0,\"processed\":0"));
  }
}

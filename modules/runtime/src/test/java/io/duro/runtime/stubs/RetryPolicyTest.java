package io.duro.runtime.stubs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DuroException;
import io.duro.api.Headers;
import io.duro.api.InvalidArgumentException;
import io.duro.api.ObjectResetException;
import io.duro.api.Request;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry policy of calls to objects that are being handed over; no actor system needed. */
class RetryPolicyTest {

  static final RetryPolicy POLICY =
      new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(40));

  static final DuroException UNAVAILABLE =
      new ObjectResetException("unavailable", "could not be reached", true, null);
  static final DuroException ASK_TIMEOUT =
      new ObjectResetException("timeout", "no answer", false, new TimeoutException());

  /** Answers with the queued outcomes, one per attempt; counts attempts. */
  static final class Script {
    final Deque<Object> outcomes = new ArrayDeque<>();
    final AtomicInteger attempts = new AtomicInteger();

    Script(Object... outcomes) {
      this.outcomes.addAll(java.util.List.of(outcomes));
    }

    CompletionStage<String> attempt() {
      attempts.incrementAndGet();
      Object next = outcomes.isEmpty() ? "ok" : outcomes.poll();
      return next instanceof Throwable t
          ? CompletableFuture.failedFuture(t)
          : CompletableFuture.completedFuture((String) next);
    }
  }

  private static String run(Request request, Script script) throws Exception {
    try {
      return POLICY.run(request, script::attempt).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void getThatFailsWhileItsObjectIsHandedOverIsRetriedUntilItSucceeds() throws Exception {
    Script script = new Script(UNAVAILABLE, ASK_TIMEOUT, "value");
    assertEquals("value", run(Request.get("/x"), script));
    assertEquals(3, script.attempts.get());
  }

  @Test
  void postWithoutIdempotencyKeyIsNotRetried() {
    Script script = new Script(UNAVAILABLE, "value");
    DuroException e =
        assertThrows(DuroException.class, () -> run(Request.post("/increment", ""), script));
    assertSame(UNAVAILABLE, e);
    assertEquals(1, script.attempts.get());
  }

  @Test
  void postThatProvablyDidNotRunIsRetriedWhateverItsMethod() throws Exception {
    DuroException notDelivered =
        new ObjectResetException("not_delivered", "dropped during hand-over", true, null);
    Script script = new Script(notDelivered, notDelivered, "value");
    assertEquals("value", run(Request.post("/increment", ""), script));
    assertEquals(3, script.attempts.get());
  }

  @Test
  void postWithIdempotencyKeyIsRetried() throws Exception {
    Script script = new Script(ASK_TIMEOUT, "value");
    Request request =
        new Request("POST", "/charge", Headers.of("Idempotency-Key", "k-1"), new byte[0]);
    assertEquals("value", run(request, script));
    assertEquals(2, script.attempts.get());
  }

  @Test
  void putAndDeleteAreRetried() throws Exception {
    for (String method : new String[] {"PUT", "DELETE", "HEAD", "OPTIONS", "get"}) {
      Script script = new Script(UNAVAILABLE, "value");
      assertEquals("value", run(new Request(method, "/x", Headers.EMPTY, new byte[0]), script));
      assertEquals(2, script.attempts.get(), method);
    }
  }

  @Test
  void attemptsStopAtMaxAttemptsWithTheLastFailure() {
    Script script = new Script(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, ASK_TIMEOUT, "never");
    DuroException e = assertThrows(DuroException.class, () -> run(Request.get("/x"), script));
    assertSame(ASK_TIMEOUT, e);
    assertEquals(4, script.attempts.get());
  }

  @Test
  void failuresOfTheObjectItselfAreNotRetried() {
    DuroException objectTimedOut =
        new ObjectResetException("timeout", "handler ran for 30 s", false, null);
    DuroException bad = new InvalidArgumentException("bad key");
    for (DuroException failure : new DuroException[] {objectTimedOut, bad}) {
      Script script = new Script(failure, "value");
      assertThrows(DuroException.class, () -> run(Request.get("/x"), script));
      assertEquals(1, script.attempts.get(), failure.code());
    }
  }

  @Test
  void handOverFailuresAreUnreachableOrUnansweredCalls() {
    assertTrue(RetryPolicy.isHandOverFailure(UNAVAILABLE));
    assertTrue(RetryPolicy.isHandOverFailure(ASK_TIMEOUT));
    assertTrue(RetryPolicy.isHandOverFailure(
        new ObjectResetException("shutting_down", "leaving", true, null)));
    assertFalse(RetryPolicy.isHandOverFailure(new RuntimeException("bug")));
    assertFalse(RetryPolicy.isHandOverFailure(
        new ObjectResetException("overloaded", "queue full", true, null)));
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    assertEquals(Duration.ofMillis(10), POLICY.backoff(1));
    assertEquals(Duration.ofMillis(20), POLICY.backoff(2));
    assertEquals(Duration.ofMillis(40), POLICY.backoff(3));
    assertEquals(Duration.ofMillis(40), POLICY.backoff(9));
  }

  @Test
  void retriesWaitTheBackoff() throws Exception {
    Script script = new Script(UNAVAILABLE, UNAVAILABLE, "value");
    long start = System.nanoTime();
    run(Request.get("/x"), script);
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(30).toNanos());
  }

  @Test
  void aPolicyWithoutAttemptsIsRefusedNamingTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
    assertTrue(e.getMessage().contains("duro.runtime.retry.max-attempts must be at least 1"));
  }
}

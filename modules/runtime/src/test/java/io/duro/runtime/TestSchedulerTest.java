package io.duro.runtime;

import static io.duro.runtime.RuntimeFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.dispatch.ExecutionContexts;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/** The test scheduler: advancing it runs what became due, at once, and nothing else. */
class TestSchedulerTest {

  /** Runs a task on the thread that hands it over: in advance(), before advance() returns. */
  private static final ExecutionContext INLINE = ExecutionContexts.fromExecutor(Runnable::run);

  private final List<String> ran = new CopyOnWriteArrayList<>();
  private TestScheduler scheduler;

  @BeforeEach
  void start() {
    scheduler =
        new TestScheduler(
            ConfigFactory.empty(), NoLogging.getInstance(), Executors.defaultThreadFactory());
  }

  @AfterEach
  void stop() {
    scheduler.close();
  }

  private static FiniteDuration seconds(long s) {
    return FiniteDuration.create(s, TimeUnit.SECONDS);
  }

  private Cancellable once(long seconds, String name) {
    return scheduler.scheduleOnce(seconds(seconds), () -> ran.add(name), INLINE);
  }

  @Test
  void advanceRunsTheTimersDueByTheNewTimeInOrderBeforeItReturns() {
    once(20, "b");
    once(10, "a");
    once(3600, "hour");
    long start = scheduler.clock().millis();
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(List.of("a"), ran);
    scheduler.advance(Duration.ofSeconds(10));
    assertEquals(List.of("a", "b"), ran);
    assertEquals(start + 20_000, scheduler.clock().millis(), "the clock moved as far, no more");
  }

  @Test
  void cancelledTimerDoesNotRun() {
    Cancellable timer = once(1, "cancelled");
    assertTrue(timer.cancel());
    scheduler.advance(Duration.ofSeconds(2));
    assertEquals(List.of(), ran);
    assertTrue(timer.isCancelled());
  }

  @Test
  void repeatedTimerRunsOnceForEachAdvancePastItsInterval() {
    scheduler.scheduleAtFixedRate(seconds(1), seconds(1), () -> ran.add("tick"), INLINE);
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(1, ran.size());
    scheduler.advance(Duration.ofSeconds(1));
    assertEquals(2, ran.size());
  }

  @Test
  void timersAlsoFireAsRealTimePasses() throws Exception {
    scheduler.scheduleOnce(
        FiniteDuration.create(1, TimeUnit.MILLISECONDS), () -> ran.add("soon"), INLINE);
    await("the timer to fire in real time", () -> ran.contains("soon"), 5_000);
  }

  @Test
  void timeMovesForwardOnlyAndNothingIsScheduledAfterClose() {
    assertThrows(IllegalArgumentException.class, () -> scheduler.advance(Duration.ofMillis(-1)));
    scheduler.close();
    assertThrows(IllegalStateException.class, () -> once(1, "late"));
  }
}

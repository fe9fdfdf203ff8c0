package io.duro.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerTask;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.dispatch.ExecutionContexts;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/** The node's Pekko scheduler: Pekko's semantics, and cancelled timers gone at once. */
class HeapSchedulerTest {

  private static final FiniteDuration HOUR = FiniteDuration.create(1, TimeUnit.HOURS);

  private ExecutorService pool;
  private ExecutionContext ec;
  private HeapScheduler scheduler;

  @BeforeEach
  void start() {
    pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-ec"));
    ec = ExecutionContexts.fromExecutor(pool);
    scheduler =
        new HeapScheduler(
            ConfigFactory.empty(), NoLogging.getInstance(), Executors.defaultThreadFactory());
  }

  @AfterEach
  void stop() {
    scheduler.close();
    pool.shutdownNow();
  }

  private static FiniteDuration millis(long ms) {
    return FiniteDuration.create(ms, TimeUnit.MILLISECONDS);
  }

  @Test
  void aCancelledTimerIsGoneAtOnceNotAtItsDueTime() {
    List<Cancellable> timers = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      timers.add(scheduler.scheduleOnce(HOUR, () -> {}, ec));
    }
    assertEquals(10_000, scheduler.pending());
    for (Cancellable timer : timers) {
      assertTrue(timer.cancel());
    }
    assertEquals(0, scheduler.pending(), "cancelled timers still held");
  }

  @Test
  void aTimerRunsItsTaskOnItsExecutionContextWhenDue() throws InterruptedException {
    AtomicReference<String> thread = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(1);
    long start = System.nanoTime();
    Cancellable timer =
        scheduler.scheduleOnce(
            millis(50),
            () -> {
              thread.set(Thread.currentThread().getName());
              ran.countDown();
            },
            ec);
    assertTrue(ran.await(10, TimeUnit.SECONDS));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "ran early");
    assertEquals("test-ec", thread.get());
    assertFalse(timer.cancel(), "a timer that fired cannot be cancelled");
    assertFalse(timer.isCancelled());
    assertEquals(0, scheduler.pending());
  }

  @Test
  void aTimerCancelledBeforeItIsDueNeverRunsAndItsSchedulerTaskIsTold()
      throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch told = new CountDownLatch(1);
    SchedulerTask task =
        new SchedulerTask() {
          @Override
          public void run() {
            runs.incrementAndGet();
          }

          @Override
          public void cancelled() {
            told.countDown();
          }
        };
    Cancellable timer = scheduler.scheduleOnce(millis(200), task, ec);
    assertTrue(timer.cancel());
    assertTrue(timer.isCancelled());
    assertFalse(timer.cancel(), "cancelled twice");
    assertTrue(told.await(10, TimeUnit.SECONDS));
    // A later timer on the same thread runs after the cancelled one's due time.
    CountDownLatch later = new CountDownLatch(1);
    scheduler.scheduleOnce(millis(400), later::countDown, ec);
    assertTrue(later.await(10, TimeUnit.SECONDS));
    assertEquals(0, runs.get());
  }

  @Test
  void aTaskWithoutDelayRunsAtOnceAndCannotBeCancelled() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    Cancellable timer = scheduler.scheduleOnce(millis(0), ran::countDown, ec);
    assertTrue(ran.await(10, TimeUnit.SECONDS));
    assertFalse(timer.cancel());
    assertFalse(timer.isCancelled());
  }

  @Test
  @SuppressWarnings("deprecation") // Pekko's scheduleAtFixedRate calls the deprecated schedule
  void aRepeatedTaskRunsAtItsRateUntilCancelled() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch five = new CountDownLatch(5);
    Cancellable repeated =
        scheduler.scheduleAtFixedRate(
            millis(10),
            millis(10),
            () -> {
              runs.incrementAndGet();
              five.countDown();
            },
            ec);
    assertTrue(five.await(10, TimeUnit.SECONDS));
    assertTrue(repeated.cancel());
    assertFalse(repeated.cancel());
    assertTrue(repeated.isCancelled());
    int atCancel = runs.get();
    // Ten periods later: at most the run that was already handed to the execution context.
    CountDownLatch later = new CountDownLatch(1);
    scheduler.scheduleOnce(millis(100), later::countDown, ec);
    assertTrue(later.await(10, TimeUnit.SECONDS));
    assertTrue(runs.get() <= atCancel + 1, runs.get() + " runs after " + atCancel);
    assertEquals(0, scheduler.pending(), "the cancelled repetition is not scheduled again");
  }

  @Test
  void closingRunsThePendingTasksThatMustRunOnCloseAndRefusesNewTimers() {
    AtomicInteger closeTasks = new AtomicInteger();
    AtomicInteger plainTasks = new AtomicInteger();
    Scheduler.TaskRunOnClose onClose = closeTasks::incrementAndGet;
    scheduler.scheduleOnce(HOUR, onClose, ec);
    scheduler.scheduleOnce(HOUR, onClose, ec).cancel();
    scheduler.scheduleOnce(HOUR, plainTasks::incrementAndGet, ec);
    scheduler.close();
    assertEquals(1, closeTasks.get(), "the pending TaskRunOnClose ran, the cancelled one did not");
    assertEquals(0, plainTasks.get());
    assertThrows(
        IllegalStateException.class, () -> scheduler.scheduleOnce(HOUR, () -> {}, ec));
    assertThrows(
        IllegalStateException.class, () -> scheduler.scheduleOnce(millis(0), () -> {}, ec));
  }

  @Test
  void theNodesActorSystemRunsOnIt() {
    ActorTestKit kit =
        ActorTestKit.create(
            "heap-scheduler",
            ConfigFactory.load(
                ConfigFactory.parseString("pekko.actor.provider = local")
                    .withFallback(ConfigFactory.parseResources("duro-runtime-defaults.conf"))));
    try {
      assertSame(
          HeapScheduler.class, Adapter.toClassic(kit.system()).scheduler().getClass());
    } finally {
      kit.shutdownTestKit();
    }
  }
}

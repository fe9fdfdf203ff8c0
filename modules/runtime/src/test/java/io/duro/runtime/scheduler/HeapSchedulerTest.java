package io.duro.runtime.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.LightArrayRevolverScheduler;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerTask;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.dispatch.ExecutionContexts;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * {@link HeapScheduler}: cancelled timers gone at once, and Pekko's semantics, checked on Pekko's
 * own scheduler too (the node's scheduler when {@code duro.runtime.forks.heap-scheduler} is off).
 */
class HeapSchedulerTest {

  /** The schedulers the node can run on. */
  enum Implementation {
    HEAP,
    PEKKO;

    Scheduler open() {
      return this == HEAP
          ? new HeapScheduler(
              ConfigFactory.empty(), NoLogging.getInstance(), Executors.defaultThreadFactory())
          : new LightArrayRevolverScheduler(
              ConfigFactory.load(), NoLogging.getInstance(), Executors.defaultThreadFactory());
    }
  }

  private static final FiniteDuration HOUR = FiniteDuration.create(1, TimeUnit.HOURS);

  private ExecutorService pool;
  private ExecutionContext ec;
  private Scheduler scheduler;

  @BeforeEach
  void start() {
    pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-ec"));
    ec = ExecutionContexts.fromExecutor(pool);
    scheduler = Implementation.HEAP.open();
  }

  /** Replaces the heap scheduler of {@link #start} by the implementation under test. */
  private void use(Implementation implementation) {
    close();
    scheduler = implementation.open();
  }

  @AfterEach
  void stop() {
    close();
    pool.shutdownNow();
  }

  private void close() {
    try {
      ((Closeable) scheduler).close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The heap scheduler's pending timers; none to check on Pekko's. */
  private int pending() {
    return scheduler instanceof HeapScheduler heap ? heap.pending() : 0;
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
    HeapScheduler heap = (HeapScheduler) scheduler;
    assertEquals(10_000, heap.pending());
    for (Cancellable timer : timers) {
      assertTrue(timer.cancel());
    }
    assertEquals(0, heap.pending(), "cancelled timers still held");
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void aTimerRunsItsTaskOnItsExecutionContextWhenDue(Implementation implementation)
      throws InterruptedException {
    use(implementation);
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
    assertEquals(0, pending());
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void aTimerCancelledBeforeItIsDueNeverRunsAndItsSchedulerTaskIsTold(
      Implementation implementation) throws InterruptedException {
    use(implementation);
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

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void aTaskWithoutDelayRunsAtOnceAndCannotBeCancelled(Implementation implementation)
      throws InterruptedException {
    use(implementation);
    CountDownLatch ran = new CountDownLatch(1);
    Cancellable timer = scheduler.scheduleOnce(millis(0), ran::countDown, ec);
    assertTrue(ran.await(10, TimeUnit.SECONDS));
    assertFalse(timer.cancel());
    assertFalse(timer.isCancelled());
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  @SuppressWarnings("deprecation") // Pekko's scheduleAtFixedRate calls the deprecated schedule
  void aRepeatedTaskRunsAtItsRateUntilCancelled(Implementation implementation)
      throws InterruptedException {
    use(implementation);
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
    assertEquals(0, pending(), "the cancelled repetition is not scheduled again");
  }

  @ParameterizedTest
  @EnumSource(Implementation.class)
  void closingRunsThePendingTasksThatMustRunOnCloseAndRefusesNewTimers(
      Implementation implementation) {
    use(implementation);
    AtomicInteger closeTasks = new AtomicInteger();
    AtomicInteger plainTasks = new AtomicInteger();
    Scheduler.TaskRunOnClose onClose = closeTasks::incrementAndGet;
    scheduler.scheduleOnce(HOUR, onClose, ec);
    scheduler.scheduleOnce(HOUR, onClose, ec).cancel();
    scheduler.scheduleOnce(HOUR, plainTasks::incrementAndGet, ec);
    close();
    assertEquals(1, closeTasks.get(), "the pending TaskRunOnClose ran, the cancelled one did not");
    assertEquals(0, plainTasks.get());
    assertThrows(
        IllegalStateException.class, () -> scheduler.scheduleOnce(HOUR, () -> {}, ec));
    assertThrows(
        IllegalStateException.class, () -> scheduler.scheduleOnce(millis(0), () -> {}, ec));
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void theNodesActorSystemRunsOnTheSchedulerTheSwitchChooses(boolean heapScheduler)
      throws InterruptedException {
    ActorTestKit kit =
        ActorTestKit.create(
            "heap-scheduler",
            ConfigFactory.load(
                ConfigFactory.parseString(
                        "pekko.actor.provider = local\n"
                            + "duro.runtime.forks.heap-scheduler = "
                            + heapScheduler)
                    .withFallback(ConfigFactory.parseResources("duro-runtime-defaults.conf"))));
    try {
      Scheduler installed = Adapter.toClassic(kit.system()).scheduler();
      assertSame(NodeScheduler.class, installed.getClass());
      assertSame(
          heapScheduler ? HeapScheduler.class : LightArrayRevolverScheduler.class,
          ((NodeScheduler) installed).chosen().getClass());
      CountDownLatch fired = new CountDownLatch(1);
      installed.scheduleOnce(millis(50), fired::countDown, kit.system().executionContext());
      assertTrue(fired.await(10, TimeUnit.SECONDS), "a timer of the actor system fired");
    } finally {
      kit.shutdownTestKit();
    }
  }
}

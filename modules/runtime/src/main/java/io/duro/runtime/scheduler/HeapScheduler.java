package io.duro.runtime.scheduler;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.apache.pekko.actor.AbstractSchedulerBase;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerTask;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * The node's Pekko scheduler by default (see {@link NodeScheduler}): timers in a heap from which a
 * cancelled timer is removed at once.
 *
 * <p>Why it exists: Pekko's own scheduler keeps a cancelled timer until its due time, and every
 * request through the gateway starts two timers, due after tens of seconds, that are cancelled
 * within milliseconds; under load the dead timers were a large share of what young garbage
 * collections copied. Here a cancelled timer is garbage at once.
 *
 * <p>Semantics follow Pekko's scheduler: a task runs on the execution context it was scheduled
 * with; a repeated task is scheduled again after each run, at its fixed rate; a cancelled
 * {@link SchedulerTask} is told so on its execution context; closing runs the pending {@link
 * Scheduler.TaskRunOnClose} tasks; scheduling after close throws {@link IllegalStateException}.
 */
public final class HeapScheduler extends AbstractSchedulerBase implements Closeable {

  /** What {@link #scheduleOnce} returns for a task it ran at once. */
  private static final Cancellable NOT_CANCELLABLE =
      new Cancellable() {
        @Override
        public boolean cancel() {
          return false;
        }

        @Override
        public boolean isCancelled() {
          return false;
        }
      };

  private final LoggingAdapter log;
  private final ScheduledThreadPoolExecutor timers;

  /** The pending timers whose task must run when the scheduler closes (Pekko's own, rare). */
  private final Set<Timer> runOnClose = ConcurrentHashMap.newKeySet();

  /**
   * Called by Pekko with the actor system's configuration.
   *
   * @param config the actor system's configuration
   * @param log where failures of closing tasks are logged
   * @param threadFactory makes the thread that runs the timers
   */
  public HeapScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.log = log;
    this.timers = new ScheduledThreadPoolExecutor(1, threadFactory);
    timers.setRemoveOnCancelPolicy(true);
    timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    timers.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext ec) {
    if (delay.toNanos() <= 0) {
      if (timers.isShutdown()) {
        throw new IllegalStateException("cannot enqueue after timer shutdown");
      }
      ec.execute(runnable);
      return NOT_CANCELLABLE;
    }
    Timer timer = new Timer(runnable, ec);
    if (runnable instanceof Scheduler.TaskRunOnClose) {
      runOnClose.add(timer);
    }
    timer.future = submit(timer, delay.toNanos());
    return timer;
  }

  @Override
  @SuppressWarnings("deprecation") // the abstract method that scheduleAtFixedRate calls
  public Cancellable schedule(
      FiniteDuration initialDelay, FiniteDuration interval, Runnable runnable, ExecutionContext ec) {
    if (interval.toNanos() <= 0) {
      throw new IllegalArgumentException(
          "Task scheduled with [" + interval + "] interval: the interval must be greater than 0");
    }
    Repeated repeated = new Repeated(runnable, ec, interval.toNanos(), initialDelay.toNanos());
    repeated.next(Math.max(initialDelay.toNanos(), 0));
    return repeated;
  }

  @Override
  public double maxFrequency() {
    return 1000.0; // timers are exact to the millisecond; Pekko's wheel ticks every 10 ms
  }

  /** The timers waiting for their due time (tests). */
  int pending() {
    return timers.getQueue().size();
  }

  /** Stops the timers; the pending tasks that must run when the system stops do so now. */
  @Override
  public void close() {
    timers.shutdownNow();
    try {
      timers.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Timer timer : runOnClose) {
      if (timer.claim(Timer.FIRED)) {
        try {
          timer.task.run();
        } catch (RuntimeException e) {
          log.error(e, "exception while executing timer task");
        }
      }
    }
    runOnClose.clear();
  }

  private Future<?> submit(Runnable fire, long delayNanos) {
    try {
      return timers.schedule(fire, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("cannot enqueue after timer shutdown", e);
    }
  }

  /** Hands a task to its execution context; a refusal is reported there, as Pekko does. */
  private static void dispatch(Runnable task, ExecutionContext ec) {
    try {
      ec.execute(task);
    } catch (RuntimeException e) {
      ec.reportFailure(e);
    }
  }

  /** Tells a cancelled {@link SchedulerTask} so, on its execution context. */
  private static void notifyCancelled(Runnable task, ExecutionContext ec) {
    if (task instanceof SchedulerTask s) {
      dispatch(s::cancelled, ec);
    }
  }

  /** One timer: hands its task to its execution context when due, unless cancelled first. */
  private final class Timer implements Runnable, Cancellable {
    static final int PENDING = 0;
    static final int FIRED = 1;
    static final int CANCELLED = 2;

    final Runnable task;
    private final ExecutionContext ec;
    volatile int state = PENDING;
    volatile Future<?> future;

    Timer(Runnable task, ExecutionContext ec) {
      this.task = task;
      this.ec = ec;
    }

    /** Moves a pending timer to {@code to}; false when it already fired or was cancelled. */
    boolean claim(int to) {
      if (!STATE.compareAndSet(this, PENDING, to)) {
        return false;
      }
      if (task instanceof Scheduler.TaskRunOnClose) {
        runOnClose.remove(this);
      }
      return true;
    }

    @Override
    public void run() {
      if (claim(FIRED)) {
        dispatch(task, ec);
      }
    }

    @Override
    public boolean cancel() {
      if (!claim(CANCELLED)) {
        return false;
      }
      Future<?> f = future;
      if (f != null) {
        f.cancel(false); // removes it from the heap
      }
      notifyCancelled(task, ec);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return state == CANCELLED;
    }
  }

  private static final AtomicIntegerFieldUpdater<Timer> STATE =
      AtomicIntegerFieldUpdater.newUpdater(Timer.class, "state");

  /**
   * A task repeated at a fixed rate: each run is scheduled after the previous one, for the time
   * the rate gives (at least 1 ns later), as Pekko's scheduler does.
   */
  private final class Repeated implements Runnable, Cancellable {
    private final Runnable task;
    private final ExecutionContext ec;
    private final long intervalNanos;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Future<?> current;
    private long dueNanos;

    Repeated(Runnable task, ExecutionContext ec, long intervalNanos, long initialDelayNanos) {
      this.task = task;
      this.ec = ec;
      this.intervalNanos = intervalNanos;
      this.dueNanos = System.nanoTime() + initialDelayNanos;
    }

    void next(long delayNanos) {
      Future<?> f = submit(() -> dispatch(this, ec), delayNanos);
      current = f;
      if (cancelled.get()) {
        f.cancel(false);
      }
    }

    @Override
    public void run() {
      if (cancelled.get()) {
        return;
      }
      task.run();
      dueNanos += intervalNanos;
      if (!cancelled.get()) {
        try {
          next(Math.max(dueNanos - System.nanoTime(), 1));
        } catch (IllegalStateException e) {
          // the scheduler was closed: the repetition ends
        }
      }
    }

    @Override
    public boolean cancel() {
      if (!cancelled.compareAndSet(false, true)) {
        return false;
      }
      Future<?> f = current;
      if (f != null) {
        f.cancel(false);
      }
      notifyCancelled(task, ec);
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled.get();
    }
  }
}

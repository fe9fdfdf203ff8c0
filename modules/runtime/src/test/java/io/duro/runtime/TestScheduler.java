package io.duro.runtime;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractSchedulerBase;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerTask;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * The Pekko scheduler of a test node ({@code pekko.scheduler.implementation}) and its test clock:
 * tests move both forward together with {@link #advance}.
 *
 * <p>The {@link #clock()} (the runtime's clock: {@code DuroRuntime.start(system, app, clock)})
 * stands still between advances. Timers are due on a time that runs with real
 * time, so that the cluster, sharding and persistence keep working, and jumps with every advance:
 * an object's alarm timer, started for {@code alarm - clock()}, is due once the clock has been
 * advanced past the alarm, however little real time passed. {@link #advance} hands every timer
 * due by then to its execution context, in due order, before it returns; a message to an actor
 * that a timer sends is in the actor's mailbox then, ahead of anything the test sends after.
 *
 * <p>Advance only while nothing waits on a timeout (no request, journal write or recovery in
 * flight): the timeouts run on these timers too.
 */
public final class TestScheduler extends AbstractSchedulerBase implements Closeable {

  private final LoggingAdapter log;
  private final PriorityQueue<Timer> queue =
      new PriorityQueue<>(
          Comparator.comparingLong((Timer t) -> t.due).thenComparingLong(t -> t.seq));
  private final Thread thread;
  private final long startMillis = Instant.now().truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
  private final Clock clock = new TestClock();
  /** How far the test moved time; written under the queue's lock. */
  private volatile long offsetNanos;
  // guarded by queue
  private long sequence;
  private boolean closed;

  /**
   * Called by Pekko with the actor system's configuration.
   *
   * @param config the actor system's configuration
   * @param log where failures of closing tasks are logged
   * @param threadFactory makes the thread that runs the timers
   */
  public TestScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.log = log;
    this.thread = threadFactory.newThread(this::runTimers);
    thread.start();
  }

  /**
   * The test clock: stands still until {@link #advance}.
   *
   * @return the clock, in UTC, to the millisecond
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Moves the clock and the timers forward; every timer due by the new time is handed to its
   * execution context before this returns.
   *
   * @param by how far, at least 0, whole milliseconds
   */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("Time moves forward only; " + by + " was given");
    }
    synchronized (queue) {
      offsetNanos += by.toMillis() * 1_000_000L;
      fireDue();
      queue.notifyAll();
    }
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext ec) {
    return add(new Timer(runnable, ec, 0), delay.toNanos());
  }

  @Override
  @SuppressWarnings("deprecation") // the abstract method that scheduleAtFixedRate calls
  public Cancellable schedule(
      FiniteDuration initialDelay,
      FiniteDuration interval,
      Runnable runnable,
      ExecutionContext ec) {
    if (interval.toNanos() <= 0) {
      throw new IllegalArgumentException(
          "Task scheduled with [" + interval + "] interval: the interval must be greater than 0");
    }
    return add(new Timer(runnable, ec, interval.toNanos()), initialDelay.toNanos());
  }

  @Override
  public double maxFrequency() {
    return 1000.0;
  }

  /** Stops the timers; the pending tasks that must run when the system stops do so now. */
  @Override
  public void close() {
    List<Timer> onClose = new ArrayList<>();
    synchronized (queue) {
      closed = true;
      for (Timer t : queue) {
        if (t.task instanceof Scheduler.TaskRunOnClose) {
          onClose.add(t);
        }
      }
      queue.clear();
      queue.notifyAll();
    }
    for (Timer t : onClose) {
      try {
        t.task.run();
      } catch (RuntimeException e) {
        log.error(e, "exception while executing timer task");
      }
    }
  }

  private long now() {
    return System.nanoTime() + offsetNanos;
  }

  private Timer add(Timer timer, long delayNanos) {
    synchronized (queue) {
      if (closed) {
        throw new IllegalStateException("cannot enqueue after timer shutdown");
      }
      timer.due = now() + Math.max(delayNanos, 0);
      timer.seq = sequence++;
      queue.add(timer);
      queue.notifyAll();
    }
    return timer;
  }

  /** Hands each due timer's task to its execution context; repeated ones go back in. */
  private void fireDue() {
    long now = now();
    while (!queue.isEmpty() && queue.peek().due <= now) {
      Timer t = queue.poll();
      if (t.interval > 0) {
        t.due = Math.max(t.due + t.interval, now);
        t.seq = sequence++;
        queue.add(t);
      } else {
        t.done = true;
      }
      try {
        t.ec.execute(t.task);
      } catch (RuntimeException e) {
        t.ec.reportFailure(e);
      }
    }
  }

  private void runTimers() {
    synchronized (queue) {
      while (!closed) {
        fireDue();
        long wait = queue.isEmpty() ? TimeUnit.SECONDS.toNanos(1) : queue.peek().due - now();
        try {
          TimeUnit.NANOSECONDS.timedWait(queue, Math.max(wait, 1));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** One timer, once or repeated; cancelling it takes it out of the queue. */
  private final class Timer implements Cancellable {
    final Runnable task;
    final ExecutionContext ec;
    final long interval;
    // guarded by queue
    long due;
    long seq;
    boolean done;
    boolean cancelled;

    Timer(Runnable task, ExecutionContext ec, long interval) {
      this.task = task;
      this.ec = ec;
      this.interval = interval;
    }

    @Override
    public boolean cancel() {
      synchronized (queue) {
        if (done || cancelled) {
          return false;
        }
        cancelled = true;
        queue.remove(this);
      }
      if (task instanceof SchedulerTask s) {
        ec.execute(s::cancelled);
      }
      return true;
    }

    @Override
    public boolean isCancelled() {
      synchronized (queue) {
        return cancelled;
      }
    }
  }

  /** The clock that {@link #advance} moves; it stands still in between. In UTC only. */
  private final class TestClock extends Clock {
    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(startMillis + offsetNanos / 1_000_000L);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("The test clock is in UTC; " + zone + " was asked");
    }
  }
}

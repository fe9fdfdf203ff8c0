package io.duro.runtime.scheduler;

import com.typesafe.config.Config;
import io.duro.runtime.ForkSettings;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ThreadFactory;
import org.apache.pekko.actor.AbstractSchedulerBase;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.LightArrayRevolverScheduler;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * The node's Pekko scheduler ({@code pekko.scheduler.implementation}): {@link HeapScheduler}, or
 * Pekko's own {@link LightArrayRevolverScheduler} when {@code duro.runtime.forks.heap-scheduler}
 * is off. Every call goes to the chosen one unchanged, so with the switch off the node's timers
 * are Pekko's, as shipped.
 */
public final class NodeScheduler extends AbstractSchedulerBase implements Closeable {

  private final Scheduler scheduler;

  /**
   * Called by Pekko with the actor system's configuration.
   *
   * @param config the actor system's configuration
   * @param log where the chosen scheduler logs
   * @param threadFactory makes the chosen scheduler's thread
   */
  public NodeScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
    this.scheduler =
        ForkSettings.from(config).heapScheduler()
            ? new HeapScheduler(config, log, threadFactory)
            : new LightArrayRevolverScheduler(config, log, threadFactory);
  }

  /**
   * The scheduler that runs the timers (tests, diagnostics).
   *
   * @return a {@link HeapScheduler} or Pekko's {@link LightArrayRevolverScheduler}
   */
  public Scheduler chosen() {
    return scheduler;
  }

  @Override
  public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext ec) {
    return scheduler.scheduleOnce(delay, runnable, ec);
  }

  @Override
  @SuppressWarnings("deprecation") // the abstract method that scheduleAtFixedRate calls
  public Cancellable schedule(
      FiniteDuration initialDelay,
      FiniteDuration interval,
      Runnable runnable,
      ExecutionContext ec) {
    return scheduler.schedule(initialDelay, interval, runnable, ec);
  }

  @Override
  public Cancellable scheduleWithFixedDelay(
      FiniteDuration initialDelay, FiniteDuration delay, Runnable runnable, ExecutionContext ec) {
    return scheduler.scheduleWithFixedDelay(initialDelay, delay, runnable, ec);
  }

  @Override
  public double maxFrequency() {
    return scheduler.maxFrequency();
  }

  @Override
  public void close() {
    try {
      ((Closeable) scheduler).close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.duro.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * An in-memory journal plugin whose writes a test can hold back or fail, to observe the output
 * gate and the reset on write failure. Test-only; its state is per JVM, so tests using it reset it
 * with {@link #reset()}.
 */
public final class ControllableJournal extends AsyncWriteJournal {

  private static final Map<String, List<PersistentRepr>> EVENTS = new ConcurrentHashMap<>();
  private static volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  private static volatile boolean failWrites;
  static final AtomicInteger WRITES_STARTED = new AtomicInteger();

  /** Forgets every event and opens the gate. */
  static void reset() {
    EVENTS.clear();
    gate = CompletableFuture.completedFuture(null);
    failWrites = false;
    WRITES_STARTED.set(0);
  }

  /** Writes wait until {@link #release()}. */
  static void hold() {
    gate = new CompletableFuture<>();
  }

  /** Lets held and later writes through. */
  static void release() {
    gate.complete(null);
  }

  /** Makes every write fail (true) or succeed (false). */
  static void failWrites(boolean fail) {
    failWrites = fail;
  }

  /** The number of events stored for a persistence ID. */
  static int eventCount(String persistenceId) {
    List<PersistentRepr> list = EVENTS.get(persistenceId);
    return list == null ? 0 : list.size();
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> writes) {
    WRITES_STARTED.incrementAndGet();
    CompletableFuture<Iterable<Optional<Exception>>> result =
        gate.thenApply(
            ignored -> {
              if (failWrites) {
                throw new IllegalStateException("write failed on purpose (ControllableJournal)");
              }
              List<Optional<Exception>> outcomes = new ArrayList<>();
              for (AtomicWrite w : writes) {
                List<PersistentRepr> list =
                    EVENTS.computeIfAbsent(w.persistenceId(), k -> new ArrayList<>());
                synchronized (list) {
                  list.addAll(CollectionConverters.asJava(w.payload()));
                }
                outcomes.add(Optional.empty());
              }
              return outcomes;
            });
    return FutureConverters.asScala(result);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(CompletableFuture.completedFuture(null));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Consumer<PersistentRepr> replayCallback) {
    List<PersistentRepr> list = EVENTS.getOrDefault(persistenceId, List.of());
    List<PersistentRepr> copy;
    synchronized (list) {
      copy = new ArrayList<>(list);
    }
    long n = 0;
    for (PersistentRepr r : copy) {
      if (r.sequenceNr() >= fromSequenceNr && r.sequenceNr() <= toSequenceNr && n < max) {
        replayCallback.accept(r);
        n++;
      }
    }
    return FutureConverters.asScala(CompletableFuture.completedFuture(null));
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    List<PersistentRepr> list = EVENTS.getOrDefault(persistenceId, List.of());
    long highest;
    synchronized (list) {
      highest = list.isEmpty() ? 0L : list.get(list.size() - 1).sequenceNr();
    }
    return FutureConverters.asScala(CompletableFuture.completedFuture(highest));
  }
}

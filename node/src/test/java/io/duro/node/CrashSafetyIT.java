package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real node process (SIGKILL, no shutdown hook) must not lose an acknowledged
 * increment: the output gate only answers once the turn's write is in the H2 journal, which
 * writes every commit to the OS at once ({@code WRITE_DELAY=0}; without it, a kill -9 lost the
 * last commits).
 */
@Tag("process")
class CrashSafetyIT {

  private static final int THREADS = 8;
  private static final int REQUESTS_PER_THREAD = 150;

  @TempDir Path temp;

  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void killStartedNodes() {
    started.forEach(NodeProcess::close);
  }

  private NodeProcess start(String name) throws IOException, InterruptedException {
    NodeProcess node = NodeProcess.start(temp, name, temp.resolve("data"));
    started.add(node);
    return node;
  }

  @Test
  void acknowledgedIncrementsSurviveKillDashNine() throws Exception {
    NodeProcess node = start("first");
    HttpJson http = node.http();
    ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    ExecutorService clients = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(
            clients.submit(
                () -> {
                  for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                    acknowledged.add(http.post("/counter/crash/increment").value());
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    node.killDashNine();
    assertFalse(node.process().isAlive(), "the node is gone after SIGKILL");
    assertFalse(ProcessHandle.of(node.process().pid()).map(ProcessHandle::isAlive).orElse(false));

    int n = THREADS * REQUESTS_PER_THREAD;
    assertEquals(n, acknowledged.size());
    TreeSet<Long> distinct = new TreeSet<>(acknowledged);
    assertEquals(n, distinct.size(), "every acknowledged value is unique");
    assertEquals(1L, distinct.first());
    assertEquals((long) n, distinct.last(), "values are exactly 1..N");

    NodeProcess again = start("second");
    assertEquals(n, again.http().get("/counter/crash").value(), "no acknowledged write was lost");
  }

  @Test
  void killDashNineWithRequestsInFlightKeepsEveryAcknowledgedIncrement() throws Exception {
    NodeProcess node = start("first");
    HttpJson http = node.http();
    int killAfter = 300;
    ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    AtomicInteger sent = new AtomicInteger();
    CountDownLatch enoughAcknowledged = new CountDownLatch(killAfter);
    ExecutorService clients = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(
            clients.submit(
                () -> {
                  while (true) {
                    sent.incrementAndGet();
                    HttpJson.Answer a;
                    try {
                      a = http.post("/counter/inflight/increment");
                    } catch (IOException e) {
                      return null; // the node died under this request: not acknowledged
                    }
                    acknowledged.add(a.value());
                    enoughAcknowledged.countDown();
                  }
                }));
      }
      assertTrue(enoughAcknowledged.await(120, TimeUnit.SECONDS), "K increments acknowledged");
      node.killDashNine();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    assertFalse(node.process().isAlive());
    List<Long> acks = new ArrayList<>(acknowledged);
    TreeSet<Long> distinct = new TreeSet<>(acks);
    assertEquals(acks.size(), distinct.size(), "every acknowledged value is unique");
    assertTrue(acks.size() >= killAfter);
    assertTrue(acks.size() < sent.get(), "some requests were still in flight at the kill");

    long value = start("second").http().get("/counter/inflight").value();
    assertTrue(
        value >= acks.size(),
        "acknowledged " + acks.size() + " increments but only " + value + " survived");
    assertTrue(value >= distinct.last(), "the highest acknowledged value survived");
    assertTrue(value <= sent.get(), "value " + value + " > " + sent.get() + " requests sent");
  }
}

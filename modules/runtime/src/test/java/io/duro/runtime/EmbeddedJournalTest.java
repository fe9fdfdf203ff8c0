package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import io.duro.api.Stub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 journal's file under a steady stream of writes: H2 writes every commit as a
 * new chunk, and without {@link EmbeddedJournal}'s housekeeping none was ever freed.
 */
class EmbeddedJournalTest {

  @TempDir Path dataDir;

  static final Application APP = Application.of(ObjectBinding.of("probe", TestObjects.Probe.class));

  static final int WRITERS = 8;
  static final int OBJECTS = 200;

  @Test
  void oldChunksAreFreedUnderSteadyWritesAndEveryWriteIsKept() throws Exception {
    Path file = dataDir.resolve("duro.mv.db");
    AtomicLong acknowledged = new AtomicLong();
    long[] sizes = new long[4];
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, "", APP)) {
      List<Stub> stubs = new ArrayList<>();
      for (int i = 0; i < OBJECTS; i++) {
        stubs.add(node.runtime.namespace("probe").getByName("o" + i));
      }
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(24);
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int first = w;
        writers.add(
            CompletableFuture.runAsync(
                () -> {
                  int i = first;
                  while (System.nanoTime() < end) {
                    Stub stub = stubs.get(i % OBJECTS);
                    i += WRITERS;
                    try {
                      stub.fetch(Request.post("/increment", ""))
                          .toCompletableFuture()
                          .get(20, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    acknowledged.incrementAndGet();
                  }
                }));
      }
      // The size every 6 s while the writers run.
      for (int i = 0; i < sizes.length; i++) {
        Thread.sleep(TimeUnit.SECONDS.toMillis(6)); // a sample period of the 24 s load, not a wait
        sizes[i] = Files.size(file);
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      long total = 0;
      for (Stub stub : stubs) {
        total +=
            ((Number)
                    stub.fetch(Request.post("/keys", ""))
                        .toCompletableFuture()
                        .get(20, TimeUnit.SECONDS)
                        .json(java.util.Map.class)
                        .getOrDefault("value", 0))
                .longValue();
      }
      assertEquals(acknowledged.get(), total, "every acknowledged increment is stored");
    }
    String report =
        "file sizes at 6, 12, 18 and 24 s: "
            + java.util.Arrays.stream(sizes).mapToObj(x -> x / 1024 + " KiB").toList()
            + " after "
            + acknowledged.get()
            + " writes";
    assertTrue(acknowledged.get() > 2_000, "enough writes to measure: " + report);
    // Without housekeeping every commit added a chunk that was never freed: 11.3 KiB of file per
    // write at the end of this test (82, 267, 505 and 786 MiB after 6, 12, 18 and 24 s).
    assertTrue(sizes[3] / acknowledged.get() < 6 * 1024, report);
  }
}

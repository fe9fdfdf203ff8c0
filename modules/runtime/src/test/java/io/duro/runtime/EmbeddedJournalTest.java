package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.duro.api.Request;
import io.duro.api.Stub;
import io.duro.runtime.jdbc.EmbeddedJournal;
import io.duro.runtime.jdbc.JdbcPools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 journal's file under a steady stream of writes: H2 writes every commit as a
 * new chunk, and without {@link EmbeddedJournal}'s housekeeping none was ever freed. With the
 * housekeeping switched off, H2 runs with its own settings and keeps every write all the same.
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
      List<Stub> stubs = stubs(node);
      List<CompletableFuture<Void>> writers = startWriters(stubs, 24, acknowledged);
      // The size every 6 s while the writers run.
      for (int i = 0; i < sizes.length; i++) {
        Thread.sleep(TimeUnit.SECONDS.toMillis(6)); // a sample period of the 24 s load, not a wait
        sizes[i] = Files.size(file);
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertEquals(acknowledged.get(), total(stubs), "every acknowledged increment is stored");
    }
    String report =
        "file sizes at 6, 12, 18 and 24 s: "
            + java.util.Arrays.stream(sizes).mapToObj(x -> x / 1024 + " KiB").toList()
            + " after "
            + acknowledged.get()
            + " writes";
    assertTrue(acknowledged.get() > 2_000, "enough writes to measure: " + report);
    // Without housekeeping every commit added a chunk that was never freed (docs/benchmarks.md).
    assertTrue(sizes[3] / acknowledged.get() < 6 * 1024, report);
  }

  @Test
  void withTheHousekeepingOffH2KeepsItsOwnSettingsAndEveryWriteSurvivesARestart()
      throws Exception {
    String off = "duro.runtime.forks.embedded-journal-housekeeping = off";
    AtomicLong acknowledged = new AtomicLong();
    long housekeepingThreads = housekeepingThreads(); // of other tests' nodes, if any
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, off, APP)) {
      List<Stub> stubs = stubs(node);
      List<CompletableFuture<Void>> writers = startWriters(stubs, 4, acknowledged);
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertEquals(acknowledged.get(), total(stubs), "every acknowledged increment is stored");
      assertTrue(housekeepingThreads() <= housekeepingThreads, "no housekeeping thread");
      Config config = node.system.settings().config();
      try (Connection c =
              DriverManager.getConnection(
                  config.getString(JdbcPools.DB + ".url"),
                  config.getString(JdbcPools.DB + ".user"),
                  config.getString(JdbcPools.DB + ".password"));
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                          + " WHERE SETTING_NAME = 'RETENTION_TIME'")) {
        assertTrue(rs.next());
        assertEquals(EmbeddedJournal.H2_RETENTION_MS, rs.getInt(1), "H2's own retention time");
      }
    }
    assertTrue(acknowledged.get() >= WRITERS, "writes: " + acknowledged.get());
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, off, APP)) {
      assertEquals(acknowledged.get(), total(stubs(node)), "every increment after a restart");
    }
  }

  private static long housekeepingThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(EmbeddedJournal.HOUSEKEEPING_THREAD))
        .count();
  }

  private static List<Stub> stubs(RuntimeFixture node) {
    List<Stub> stubs = new ArrayList<>();
    for (int i = 0; i < OBJECTS; i++) {
      stubs.add(node.runtime.namespace("probe").getByName("o" + i));
    }
    return stubs;
  }

  /** {@link #WRITERS} threads incrementing the objects in turn for {@code seconds}. */
  private static List<CompletableFuture<Void>> startWriters(
      List<Stub> stubs, long seconds, AtomicLong acknowledged) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
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
    return writers;
  }

  /** The sum of the objects' counters. */
  private static long total(List<Stub> stubs) throws Exception {
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
    return total;
  }
}

package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A node process on a PostgreSQL server of the test's own ({@link PostgresServer}), which the test
 * stops as a crash ({@code pg_ctl stop -m immediate}) and starts again: while the database is away
 * increments answer 503 with a JSON error within a bounded time and the node stays up; once it is
 * back the node serves again within a bounded time, old and new objects alike, and every
 * increment acknowledged before, during or after is in the final counts.
 */
@Tag("process")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseOutageIT {

  /**
   * Longest wait for an answer while the database is away: a journal write waits up to the pool's
   * connectionTimeout (10 s in deploy/postgres.conf) for a connection; margin for a busy machine.
   */
  static final Duration ANSWER_LIMIT = Duration.ofSeconds(20);

  /** Longest time from the database's restart until every object serves writes again. */
  static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);

  /**
   * Objects incremented before, during and after the outage. Eight at once during the outage:
   * enough failed recoveries to open Pekko Persistence's circuit breakers (5 failures for the
   * snapshot store), so the test also covers how soon they let calls through again.
   */
  static final List<String> OBJECTS =
      List.of(
          "outage-0", "outage-1", "outage-2", "outage-3", "outage-4", "outage-5", "outage-6",
          "outage-7");

  Path temp;
  PostgresServer server;
  NodeProcess node;

  @BeforeAll
  void startAServerOfOurOwnAndANodeOnIt() throws Exception {
    Optional<Path> bin = PostgresServer.binaries();
    Assumptions.assumeTrue(
        bin.isPresent(),
        "initdb and pg_ctl are in neither /usr/lib/postgresql/*/bin nor /usr/local/bin");
    temp = Files.createTempDirectory("duro-outage-it");
    server = PostgresServer.start(bin.get());
    // The server is deleted as a whole afterwards: the database needs no DROP.
    PostgresDatabase db = PostgresDatabase.create(server.jdbcUrl(), "postgres");
    Path config = db.configFile(temp, "");
    int port = NodeProcess.freePort();
    node =
        NodeProcess.launch(
            temp,
            "node",
            port,
            List.of(
                "--port", "" + port,
                "--config", config.toString(),
                "--data-dir", temp.resolve("data").toString(),
                "--cluster-port", "" + NodeProcess.freePort()));
    node.awaitHealthy();
  }

  @AfterAll
  void stopTheNodeAndTheServer() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      try {
        if (server != null) {
          server.close();
        }
      } finally {
        if (temp != null) {
          try (var files = Files.walk(temp)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
    }
  }

  /** Increments sent, acknowledged (with the value each answer gave) and left unanswered. */
  static final class Tally {
    final Map<String, ConcurrentLinkedQueue<Long>> acked = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
    final AtomicInteger unanswered = new AtomicInteger();

    /** Sends one increment; returns the answer, or null when none came (timeout, I/O error). */
    HttpJson.Answer increment(HttpJson http, String name) throws InterruptedException {
      sent.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      try {
        HttpJson.Answer a = http.post("/counter/" + name + "/increment");
        if (a.status() / 100 == 2) {
          acked.computeIfAbsent(name, k -> new ConcurrentLinkedQueue<>()).add(a.value());
        } else if (a.status() != 503) {
          unanswered.incrementAndGet(); // not a definite refusal: it may have been applied
        }
        return a;
      } catch (IOException e) {
        unanswered.incrementAndGet();
        return null;
      }
    }
  }

  @Test
  void incrementsDuringAnOutageAnswer503AndAfterItEveryAcknowledgedIncrementIsCounted()
      throws Exception {
    Tally tally = new Tally();
    HttpJson http = new HttpJson(node.port(), ANSWER_LIMIT);
    for (int round = 0; round < 5; round++) {
      for (String name : OBJECTS) {
        assertEquals(200, tally.increment(http, name).status(), name + " before the outage");
      }
    }

    server.stopImmediately();
    // The objects are in memory with their placement cached: their journal writes fail. A new
    // object fails earlier, at the placement lookup. Twice: an object reset by the first failure
    // answers again, instead of hanging or staying broken.
    List<String> duringOutage = new ArrayList<>(OBJECTS);
    duringOutage.add("outage-new");
    for (int round = 1; round <= 2; round++) {
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (String name : duringOutage) {
        answers.add(
            CompletableFuture.supplyAsync(
                () -> {
                  long start = System.nanoTime();
                  try {
                    HttpJson.Answer a = tally.increment(http, name);
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    return assertServiceUnavailable(name, a) + " in " + ms + " ms";
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                  }
                }));
      }
      for (CompletableFuture<String> answer : answers) {
        System.out.println(
            "database away, round " + round + ": " + answer.get(60, TimeUnit.SECONDS));
      }
    }
    assertTrue(node.process().isAlive(), "the node died with the database: " + node.logs());
    HttpJson management = new HttpJson(node.managementPort());
    assertEquals(200, management.get("/alive").status(), "/alive");
    System.out.println("database away: /ready answers " + management.get("/ready").status());

    long restartedAt = System.nanoTime();
    server.start();
    long deadline = restartedAt + RECOVERY_LIMIT.toNanos();
    int refusedMeanwhile = 0;
    for (String name : duringOutage) {
      HttpJson.Answer a = tally.increment(http, name);
      while (a == null || a.status() != 200) {
        assertTrue(
            System.nanoTime() < deadline,
            name + " still fails " + RECOVERY_LIMIT + " after the database is back: " + a);
        assertTrue(a == null || a.status() == 503, name + " after the outage: " + a);
        refusedMeanwhile++;
        Thread.sleep(250); // the poll interval of an awaited condition
        a = tally.increment(http, name);
      }
    }
    System.out.printf(
        "database back: every object served a write %d ms after pg_ctl start returned"
            + " (%d increments refused with 503 meanwhile)%n",
        (System.nanoTime() - restartedAt) / 1_000_000, refusedMeanwhile);
    for (int round = 0; round < 5; round++) {
      for (String name : duringOutage) {
        assertEquals(200, tally.increment(http, name).status(), name + " after the outage");
      }
    }
    assertEquals(200, tally.increment(http, "outage-after").status(), "a new object afterwards");

    for (String name : tally.sent.keySet()) {
      List<Long> acks =
          new ArrayList<>(tally.acked.getOrDefault(name, new ConcurrentLinkedQueue<>()));
      TreeSet<Long> distinct = new TreeSet<>(acks);
      assertEquals(acks.size(), distinct.size(), name + ": a value was given out twice: " + acks);
      long count = http.get("/counter/" + name).value();
      if (tally.unanswered.get() == 0) {
        // Every increment was acknowledged or refused with 503: the count is exact.
        assertEquals(acks.size(), count, name + ": acknowledged " + acks);
      } else {
        assertTrue(count >= acks.size(), name + ": lost acknowledged increments: " + count);
        assertTrue(count <= tally.sent.get(name).get(), name + ": more than was sent: " + count);
      }
      assertTrue(distinct.isEmpty() || count >= distinct.last(), name);
    }
    assertEquals(0, tally.unanswered.get(), "increments without a 2xx or 503 answer");
    assertFalse(node.stdout().contains("Exception in thread"), node.logs());
  }

  /** A 503 with Retry-After and a JSON error naming the failure; returns its code. */
  private static String assertServiceUnavailable(String name, HttpJson.Answer a) {
    assertTrue(
        a != null, name + ": no answer within " + ANSWER_LIMIT + " while the database is away");
    assertEquals(503, a.status(), name + ": " + a);
    assertTrue(a.raw().headers().firstValue("Retry-After").isPresent(), name + ": no Retry-After");
    JsonNode error = a.json();
    String code = error.path("error").asText();
    assertTrue(
        Set.of("storage_failed", "unavailable").contains(code), name + ": error code of " + a);
    assertFalse(error.path("message").asText().isBlank(), name + ": no message in " + a);
    return name + " " + code;
  }
}

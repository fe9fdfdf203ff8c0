import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The failover probe of bench/cluster.sh. Runs a steady load of increments over the counters
 * PREFIX0..PREFIX(N-1) through the given gateways (the nodes that stay up) and answers commands
 * read from stdin, one line of output per command:
 *
 * <pre>
 *   where         GET every object once; prints "WHERE failed=F host:port=count ..." (where each
 *                 object ran, from its Duro-Node header) and remembers it
 *   killed NANOS  the victim was killed at NANOS (wall clock, ns since the epoch, as date +%s%N):
 *                 GETs each of the first PROBED objects again and again (each probe times out after PROBE_TIMEOUT_MS,
 *                 then is re-sent) until each has answered 2xx; prints "RECOVERED ms=M
 *                 victim_ms=V others_ms=O victim_objects=K moved=K2 unanswered=U load_failed=L",
 *                 M = the time from the kill to the last object's first 2xx answer, V and O the
 *                 same over the objects that ran on VICTIM before (per the last "where") and over
 *                 the others, L = increments of the load that failed since the previous command
 *   stop          stops the load, reads every counter: prints "CHECK ok|MISMATCH: +sum, 2xx a,
 *                 sent s" (the sum must lie between the acknowledged and the sent increments)
 * </pre>
 *
 * Usage: java FailoverProbe.java PREFIX N PROBED RATE PROBE_TIMEOUT_MS VICTIM PORT... (RATE =
 * increments per second of the load, VICTIM = the host:port the victim's Duro-Node header names).
 * A probe that times out costs the gateway a connection (the client closes it), so the probe set
 * is kept small: every probe of a dead node's object times out until its shard is reallocated.
 */
public final class FailoverProbe {
  /** Probe requests in flight at most (each one a connection of the JDK client). */
  static final int PROBE_IN_FLIGHT = 400;
  /** Threads of the load; each paces itself to RATE / LOAD_THREADS per second. */
  static final int LOAD_THREADS = 8;
  /** The whole probe gives up after this long. */
  static final Duration PROBE_LIMIT = Duration.ofSeconds(180);

  final String prefix;
  final int objects;
  final int probed;
  final List<URI> gateways = new ArrayList<>();
  final Duration probeTimeout;
  final String victim;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .executor(Executors.newFixedThreadPool(4))
          .build();
  final AtomicReferenceArray<String> where;
  final AtomicLong acked = new AtomicLong();
  final AtomicLong sent = new AtomicLong();
  final AtomicInteger loadFailed = new AtomicInteger();
  final AtomicBoolean running = new AtomicBoolean(true);
  final ExecutorService load = Executors.newFixedThreadPool(LOAD_THREADS);
  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  FailoverProbe(String[] args) {
    prefix = args[0];
    objects = Integer.parseInt(args[1]);
    probed = Math.min(objects, Integer.parseInt(args[2]));
    probeTimeout = Duration.ofMillis(Long.parseLong(args[4]));
    victim = args[5];
    for (int i = 6; i < args.length; i++) {
      gateways.add(URI.create("http://127.0.0.1:" + args[i]));
    }
    where = new AtomicReferenceArray<>(objects);
    double rate = Double.parseDouble(args[3]);
    long pauseNanos = (long) (1e9 * LOAD_THREADS / rate);
    for (int t = 0; t < LOAD_THREADS; t++) {
      int first = t;
      load.submit(() -> increments(first, pauseNanos));
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 7) {
      System.err.println(
          "usage: FailoverProbe PREFIX N PROBED RATE PROBE_TIMEOUT_MS VICTIM PORT...");
      System.exit(2);
    }
    FailoverProbe probe = new FailoverProbe(args);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.trim().split("\\s+");
      switch (cmd[0]) {
        case "where" -> System.out.println(probe.where());
        case "killed" -> System.out.println(probe.awaitRecovery(Long.parseLong(cmd[1])));
        case "stop" -> {
          System.out.println(probe.stop());
          System.exit(0);
        }
        default -> System.out.println("ERROR unknown command " + line);
      }
    }
  }

  private HttpRequest request(int object, String method, Duration timeout) {
    URI gateway = gateways.get(ThreadLocalRandom.current().nextInt(gateways.size()));
    String path = "/counter/" + prefix + object + (method.equals("POST") ? "/increment" : "");
    return HttpRequest.newBuilder(gateway.resolve(path))
        .timeout(timeout)
        .method(method, HttpRequest.BodyPublishers.noBody())
        .build();
  }

  /** One load thread: an increment of a random object, then a pause (closed loop, paced). */
  private Void increments(int thread, long pauseNanos) throws InterruptedException {
    long next = System.nanoTime() + thread * pauseNanos / LOAD_THREADS;
    while (running.get()) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      next = Math.max(next + pauseNanos, System.nanoTime() - pauseNanos);
      int object = ThreadLocalRandom.current().nextInt(objects);
      sent.incrementAndGet();
      try {
        HttpResponse<String> r =
            http.send(request(object, "POST", Duration.ofSeconds(5)), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 == 2) {
          acked.incrementAndGet();
        } else {
          loadFailed.incrementAndGet();
        }
      } catch (java.io.IOException e) {
        loadFailed.incrementAndGet();
      }
    }
    return null;
  }

  private String where() throws InterruptedException {
    Semaphore slots = new Semaphore(32);
    CountDownLatch done = new CountDownLatch(objects);
    AtomicInteger failed = new AtomicInteger();
    for (int i = 0; i < objects; i++) {
      int object = i;
      slots.acquire();
      http.sendAsync(request(object, "GET", Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (r, e) -> {
                if (e == null && r.statusCode() / 100 == 2) {
                  where.set(object, r.headers().firstValue("Duro-Node").orElse("?"));
                } else {
                  where.set(object, "?");
                  failed.incrementAndGet();
                }
                slots.release();
                done.countDown();
              });
    }
    done.await();
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < objects; i++) {
      counts.merge(where.get(i), 1, Integer::sum);
    }
    StringBuilder out = new StringBuilder("WHERE failed=" + failed.get());
    counts.forEach((node, n) -> out.append(' ').append(node).append('=').append(n));
    loadFailed.set(0);
    return out.toString();
  }

  private static long wallNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** Probes the probed objects until each answered 2xx once; the times are from the kill. */
  private String awaitRecovery(long killedAtNanos) throws InterruptedException {
    long[] recoveredAt = new long[probed]; // wall ns of the first 2xx answer, 0 = not yet
    String[] nodeAfter = new String[probed];
    Semaphore slots = new Semaphore(PROBE_IN_FLIGHT);
    CountDownLatch done = new CountDownLatch(probed);
    long giveUpAt = wallNanos() + PROBE_LIMIT.toNanos();
    for (int i = 0; i < probed; i++) {
      slots.acquire();
      probe(i, recoveredAt, nodeAfter, slots, done, giveUpAt);
    }
    done.await();
    long all = 0, ofVictim = 0, ofOthers = 0;
    int victimObjects = 0, moved = 0, unanswered = 0;
    for (int i = 0; i < probed; i++) {
      boolean wasOnVictim = victim.equals(where.get(i));
      if (recoveredAt[i] == 0) {
        unanswered++;
        continue;
      }
      long ms = (recoveredAt[i] - killedAtNanos) / 1_000_000;
      all = Math.max(all, ms);
      if (wasOnVictim) {
        victimObjects++;
        ofVictim = Math.max(ofVictim, ms);
        moved += victim.equals(nodeAfter[i]) ? 0 : 1;
      } else {
        ofOthers = Math.max(ofOthers, ms);
      }
    }
    String out =
        String.format(
            "RECOVERED ms=%d victim_ms=%d others_ms=%d victim_objects=%d moved=%d unanswered=%d"
                + " load_failed=%d",
            all, ofVictim, ofOthers, victimObjects, moved, unanswered, loadFailed.getAndSet(0));
    return out;
  }

  /** One probe of an object; re-sent (after 100 ms if it failed fast) until a 2xx answer. */
  private void probe(
      int object,
      long[] recoveredAt,
      String[] nodeAfter,
      Semaphore slots,
      CountDownLatch done,
      long giveUpAt) {
    long sentAt = System.nanoTime();
    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(request(object, "GET", probeTimeout), HttpResponse.BodyHandlers.ofString());
    answer.whenComplete(
        (r, e) -> {
          long now = wallNanos();
          if (e == null && r.statusCode() / 100 == 2) {
            synchronized (recoveredAt) {
              recoveredAt[object] = now;
              nodeAfter[object] = r.headers().firstValue("Duro-Node").orElse("?");
            }
            slots.release();
            done.countDown();
          } else if (now > giveUpAt) {
            slots.release();
            done.countDown();
          } else {
            long tookMs = (System.nanoTime() - sentAt) / 1_000_000;
            long delayMs = Math.max(0, 100 - tookMs);
            timer.schedule(
                () -> probe(object, recoveredAt, nodeAfter, slots, done, giveUpAt),
                delayMs,
                TimeUnit.MILLISECONDS);
          }
        });
  }

  private String stop() throws Exception {
    running.set(false);
    load.shutdown();
    load.awaitTermination(30, TimeUnit.SECONDS);
    long sum = 0;
    int unread = 0;
    for (int i = 0; i < objects; i++) {
      try {
        HttpResponse<String> r =
            http.send(request(i, "GET", Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("\"value\":(\\d+)").matcher(r.body());
        if (r.statusCode() == 200 && m.find()) {
          sum += Long.parseLong(m.group(1));
        } else {
          unread++;
        }
      } catch (java.io.IOException e) {
        unread++;
      }
    }
    boolean ok = unread == 0 && sum >= acked.get() && sum <= sent.get();
    return String.format(
        "CHECK %s: +%d, 2xx %d, sent %d%s",
        ok ? "ok" : "MISMATCH", sum, acked.get(), sent.get(),
        unread == 0 ? "" : ", " + unread + " counters unread");
  }
}

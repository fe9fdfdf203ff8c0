import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Schedules N reminder alarms on a running node so that they fall due over a window of W
 * milliseconds starting S milliseconds from now, waits until all have fired, and prints the
 * lateness (actual run time minus scheduled time) percentiles.
 *
 * <p>Usage: java AlarmLateness.java BASE_URL N START_IN_MS WINDOW_MS
 */
public class AlarmLateness {
  static final Pattern RUN =
      Pattern.compile("\"scheduled\":\"([^\"]+)\",\"at\":\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String base = args[0];
    int n = Integer.parseInt(args[1]);
    long startIn = Long.parseLong(args[2]);
    long window = Long.parseLong(args[3]);
    String run = Long.toString(System.currentTimeMillis(), 36);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Semaphore inFlight = new Semaphore(64);
    long origin = System.currentTimeMillis() + startIn;
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long due = origin + (window == 0 ? 0 : (window * i) / n);
      String name = "bench-" + run + "-" + i;
      inFlight.acquire();
      long in = Math.max(0, due - System.currentTimeMillis());
      all.add(
          http.sendAsync(
                  HttpRequest.newBuilder(URI.create(base + "/reminder/" + name + "/schedule?in=" + in))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete((r, e) -> inFlight.release())
              .thenAccept(
                  r -> {
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException(r.body());
                    }
                  }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    long scheduledBy = System.currentTimeMillis();
    if (scheduledBy > origin) {
      System.err.printf(
          "warning: scheduling took until %d ms after the first due time%n", scheduledBy - origin);
    }
    Thread.sleep(Math.max(0, origin + window - System.currentTimeMillis()) + 2000);
    List<Long> lateness = Collections.synchronizedList(new ArrayList<>());
    int missing = 0;
    long deadline = System.currentTimeMillis() + 120_000;
    for (int i = 0; i < n; i++) {
      String name = "bench-" + run + "-" + i;
      while (true) {
        String body =
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/reminder/" + name)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = RUN.matcher(body);
        if (m.find()) {
          lateness.add(
              Instant.parse(m.group(2)).toEpochMilli() - Instant.parse(m.group(1)).toEpochMilli());
          break;
        }
        if (System.currentTimeMillis() > deadline) {
          missing++;
          break;
        }
        Thread.sleep(200);
      }
    }
    Collections.sort(lateness);
    System.out.printf(
        "alarms=%d window_ms=%d fired=%d missing=%d early=%d p50_ms=%d p99_ms=%d max_ms=%d%n",
        n,
        window,
        lateness.size(),
        missing,
        lateness.stream().filter(l -> l < 0).count(),
        pct(lateness, 0.50),
        pct(lateness, 0.99),
        lateness.isEmpty() ? -1 : lateness.get(lateness.size() - 1));
  }

  static long pct(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}

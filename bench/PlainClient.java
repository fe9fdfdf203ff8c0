import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop HTTP/1.1 client that reports the latencies it measured, with no correction: one
 * thread and one keep-alive connection per connection asked for, each sending the next request as
 * soon as the previous answer is read. wrk corrects its latencies for coordinated omission
 * (docs/benchmarks.md, "The young collections and the hot-inc tail"); this client shows the
 * same node's latencies as each request saw them, and checks them against Little's law.
 *
 * <p>Usage: BENCH_MODE=post|get BENCH_PATH=/counter/hot/increment java PlainClient.java PORT
 * CONNECTIONS SECONDS. Prints a RESULT line in the format of bench/duro.lua on standard output
 * (bench/run.sh's hot-inc-plain case) and the quantiles with the Little's law check on standard
 * error.
 */
public final class PlainClient {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int connections = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    String method = "get".equals(System.getenv("BENCH_MODE")) ? "GET" : "POST";
    String path = System.getenv().getOrDefault("BENCH_PATH", "/");
    byte[] request =
        (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    long begin = System.nanoTime();
    long end = begin + seconds * 1_000_000_000L;
    long[][] latencies = new long[connections][];
    AtomicLong non2xx = new AtomicLong();
    Thread[] threads = new Thread[connections];
    for (int c = 0; c < connections; c++) {
      int index = c;
      threads[c] =
          new Thread(
              () -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try (Socket socket = new Socket("127.0.0.1", port)) {
                  socket.setTcpNoDelay(true);
                  OutputStream out = socket.getOutputStream();
                  InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                  for (long start = System.nanoTime(); start < end; start = System.nanoTime()) {
                    out.write(request);
                    out.flush();
                    if (readResponse(in) / 100 != 2) {
                      non2xx.incrementAndGet();
                    }
                    if (n == mine.length) {
                      mine = Arrays.copyOf(mine, 2 * n);
                    }
                    mine[n++] = System.nanoTime() - start;
                  }
                } catch (IOException e) {
                  throw new IllegalStateException("connection " + index + " failed", e);
                }
                latencies[index] = Arrays.copyOf(mine, n);
              });
      threads[c].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    long elapsedNanos = System.nanoTime() - begin;
    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    double mean = Arrays.stream(all).average().orElse(0) / 1e6;
    System.out.printf(
        "RESULT requests=%d duration_us=%d sent=%d ok=%d non2xx=%d sockerr=0 p50_us=%d p99_us=%d"
            + " max_us=%d remote=0 mean_us=%d%n",
        all.length,
        elapsedNanos / 1000,
        all.length,
        all.length - non2xx.get(),
        non2xx.get(),
        (long) (quantile(all, 0.50) * 1000),
        (long) (quantile(all, 0.99) * 1000),
        all[all.length - 1] / 1000,
        (long) (mean * 1000));
    System.err.printf(
        "plain client: %d requests, %.0f req/s, p50 %.2f p90 %.2f p95 %.2f p99 %.2f p99.9 %.2f"
            + " max %.2f ms; mean %.3f ms, connections x seconds / requests %.3f ms%n",
        all.length,
        all.length / (double) seconds,
        quantile(all, 0.50),
        quantile(all, 0.90),
        quantile(all, 0.95),
        quantile(all, 0.99),
        quantile(all, 0.999),
        all[all.length - 1] / 1e6,
        mean,
        connections * seconds * 1000.0 / all.length);
  }

  private static double quantile(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
  }

  /**
   * Reads one response: the head up to its blank line, then Content-Length bytes of body.
   *
   * @return its status code
   */
  private static int readResponse(InputStream in) throws IOException {
    int length = -1;
    int status = -1;
    StringBuilder line = new StringBuilder();
    while (true) {
      int ch = in.read();
      if (ch < 0) {
        throw new EOFException("the server closed the connection");
      }
      if (ch != '\n') {
        line.append((char) ch);
        continue;
      }
      String header = line.toString().trim();
      line.setLength(0);
      if (header.isEmpty()) {
        break;
      }
      if (status < 0) {
        status = Integer.parseInt(header.split(" ", 3)[1]); // HTTP/1.1 200 OK
      }
      if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(header.substring(15).trim());
      }
    }
    if (length < 0) {
      throw new IOException("a response without Content-Length");
    }
    for (int i = 0; i < length; i++) {
      if (in.read() < 0) {
        throw new EOFException("the server closed the connection in a body");
      }
    }
    return status;
  }
}

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * WebSocket load for bench/sockets/run.sh, one process, non-blocking I/O (no thread per socket).
 *
 * <pre>
 * java SocketLoad.java idle   PORT N OBJECTS SECONDS   # N idle sockets over OBJECTS notify objects
 * java SocketLoad.java fanout PORT N ROUNDS            # N sockets on one object, ROUNDS publishes
 * </pre>
 *
 * Sockets are opened in batches of 500 from the source addresses 127.0.0.2-9 (to stay clear of
 * one address's ephemeral port range). "idle" prints "connected N" and then holds the sockets
 * (reading and dropping the server's pings) for SECONDS. "fanout" publishes ROUNDS notifications
 * to the object, each carrying the publisher's System.nanoTime(), and reports the delay until each
 * socket received it: p50/p99/max over all deliveries, and p50/p99 of the last delivery per round.
 */
public class SocketLoad {

  static final class Conn {
    final SocketChannel ch;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    boolean open;

    Conn(SocketChannel ch) {
      this.ch = ch;
    }
  }

  static Selector selector;
  static int upgraded;
  static final List<Long> delays = new ArrayList<>();
  static long[] lastPerRound;

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    selector = Selector.open();
    if (mode.equals("idle")) {
      int objects = Integer.parseInt(args[3]);
      int seconds = Integer.parseInt(args[4]);
      open(port, n, i -> "/notify/bench-" + (i % objects) + "/");
      System.out.println("connected " + upgraded);
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        poll(200, -1);
      }
    } else {
      int rounds = Integer.parseInt(args[3]);
      open(port, n, i -> "/notify/fanout/");
      System.out.println("connected " + upgraded);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      lastPerRound = new long[rounds];
      for (int r = 0; r < rounds; r++) {
        int before = delays.size();
        long t0 = System.nanoTime();
        HttpResponse<String> resp =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/notify/fanout/"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"t\":" + t0 + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("publish: " + resp.body());
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (delays.size() - before < n && System.nanoTime() < deadline) {
          poll(50, r);
        }
        if (delays.size() - before < n) {
          throw new IllegalStateException(
              "round " + r + ": " + (delays.size() - before) + " of " + n + " deliveries");
        }
        Thread.sleep(50);
      }
      long[] all = delays.stream().mapToLong(Long::longValue).sorted().toArray();
      long[] last = lastPerRound.clone();
      Arrays.sort(last);
      System.out.printf(
          "fanout sockets=%d rounds=%d delivery_p50_ms=%.2f delivery_p99_ms=%.2f delivery_max_ms=%.2f"
              + " last_p50_ms=%.2f last_p99_ms=%.2f%n",
          n, rounds, ms(pct(all, 50)), ms(pct(all, 99)), ms(all[all.length - 1]),
          ms(pct(last, 50)), ms(pct(last, 99)));
    }
  }

  static long pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  interface PathFor {
    String path(int i);
  }

  static void open(int port, int n, PathFor paths) throws IOException {
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
    int i = 0;
    while (i < n) {
      int batchEnd = Math.min(n, i + 500);
      int target = batchEnd;
      for (; i < batchEnd; i++) {
        SocketChannel ch = SocketChannel.open();
        ch.bind(new InetSocketAddress("127.0.0." + (2 + i % 8), 0));
        ch.connect(server);
        String req =
            "GET " + paths.path(i) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, new Conn(ch));
      }
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (upgraded < target) {
        poll(100, -1);
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + upgraded + " of " + target + " upgraded");
        }
      }
    }
  }

  static void poll(long millis, int round) throws IOException {
    selector.select(millis);
    for (SelectionKey key : selector.selectedKeys()) {
      Conn c = (Conn) key.attachment();
      int read = c.ch.read(c.in);
      if (read < 0) {
        key.cancel();
        c.ch.close();
        continue;
      }
      c.in.flip();
      if (!c.open) {
        String head = StandardCharsets.US_ASCII.decode(c.in.duplicate()).toString();
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
          c.in.compact();
          continue;
        }
        if (!head.startsWith("HTTP/1.1 101")) {
          throw new IllegalStateException("upgrade refused: " + head.lines().findFirst().get());
        }
        c.open = true;
        upgraded++;
        c.in.position(end + 4);
      }
      frames(c, round);
      c.in.compact();
    }
    selector.selectedKeys().clear();
  }

  /** Reads whole server frames (unmasked); a text frame with "t": is a fan-out delivery. */
  static void frames(Conn c, int round) {
    while (c.in.remaining() >= 2) {
      int start = c.in.position();
      int b0 = c.in.get() & 0xff;
      int b1 = c.in.get() & 0xff;
      long len = b1 & 0x7f;
      if (len == 126) {
        if (c.in.remaining() < 2) {
          c.in.position(start);
          return;
        }
        len = c.in.getShort() & 0xffff;
      } else if (len == 127) {
        if (c.in.remaining() < 8) {
          c.in.position(start);
          return;
        }
        len = c.in.getLong();
      }
      if (c.in.remaining() < len) {
        c.in.position(start);
        return;
      }
      byte[] payload = new byte[(int) len];
      c.in.get(payload);
      if ((b0 & 0x0f) == 1 && round >= 0) {
        String text = new String(payload, StandardCharsets.UTF_8);
        int at = text.indexOf("\"t\":");
        if (at >= 0) {
          int e = at + 4;
          while (e < text.length() && Character.isDigit(text.charAt(e))) {
            e++;
          }
          long delay = System.nanoTime() - Long.parseLong(text.substring(at + 4, e));
          delays.add(delay);
          lastPerRound[round] = Math.max(lastPerRound[round], delay);
        }
      }
    }
  }
}

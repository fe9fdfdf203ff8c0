import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The benchmark's ceiling: a minimal JDK HTTP server answering every request with a constant
 * JSON body. Run it with -Dsun.net.httpserver.nodelay=true (without it Nagle's algorithm caps it
 * near 1,400 req/s). Usage: java -Dsun.net.httpserver.nodelay=true BaselineServer.java PORT [THREADS]
 */
public final class BaselineServer {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    byte[] body = "{\"value\":1}".getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(threads));
    server.start();
    System.out.println("baseline serving on http://127.0.0.1:" + port + " with " + threads + " threads");
  }
}

package io.duro.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Just enough of the W3C WebDriver protocol to drive headless Chromium through chromedriver: one
 * browser session per instance, pages opened by URL, scripts run in the page.
 */
final class WebDriverClient implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final Process driver;
  private final URI base;
  private final String session;

  private WebDriverClient(Process driver, URI base, String session) {
    this.driver = driver;
    this.base = base;
    this.session = session;
  }

  /** The chromedriver and chromium binaries, or null if they are not installed. */
  static Path[] binaries() {
    Path driver = firstExisting("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    Path browser = firstExisting("/usr/bin/chromium", "/usr/bin/chromium-browser");
    return driver == null || browser == null ? null : new Path[] {driver, browser};
  }

  /**
   * Skips the calling test when chromium or chromedriver is missing, unless {@code
   * -Dduro.require-browser=true} (as in CI) makes that a failure.
   */
  static void assumeInstalled() {
    if (binaries() == null) {
      if (Boolean.getBoolean("duro.require-browser")) {
        throw new AssertionError("chromium and chromium-driver are required but not installed");
      }
      org.junit.jupiter.api.Assumptions.abort("chromium and chromium-driver are not installed");
    }
  }

  private static Path firstExisting(String... paths) {
    for (String p : paths) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  static WebDriverClient start(Path logDir, String name) throws Exception {
    Path[] bin = binaries();
    int port = NodeProcess.freePort();
    Process driver =
        new ProcessBuilder(bin[0].toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(logDir.resolve(name + "-chromedriver.log").toFile())
            .start();
    URI base = URI.create("http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        call("GET", base.resolve("/status"), null);
        break;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          driver.destroyForcibly();
          throw new IllegalStateException("chromedriver did not start", e);
        }
        Thread.sleep(200); // the poll interval of an awaited condition
      }
    }
    Map<String, Object> options =
        Map.of(
            "binary", bin[1].toString(),
            "args",
                List.of(
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--user-data-dir=" + logDir.resolve(name + "-profile")));
    JsonNode created =
        call(
            "POST",
            base.resolve("/session"),
            Map.of(
                "capabilities",
                Map.of("alwaysMatch", Map.of("goog:chromeOptions", options))));
    return new WebDriverClient(driver, base, created.path("value").path("sessionId").asText());
  }

  void open(String url) throws Exception {
    call("POST", uri("/url"), Map.of("url", url));
  }

  /** Runs a script in the page (its {@code arguments} are {@code args}) and returns its value. */
  JsonNode script(String script, Object... args) throws Exception {
    return call("POST", uri("/execute/sync"), Map.of("script", script, "args", List.of(args)))
        .path("value");
  }

  private URI uri(String path) {
    return base.resolve("/session/" + session + path);
  }

  private static JsonNode call(String method, URI uri, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(
              method,
              HttpRequest.BodyPublishers.ofString(HttpJson.JSON.writeValueAsString(body)));
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("WebDriver " + method + " " + uri + ": " + r.body());
    }
    return HttpJson.JSON.readTree(r.body());
  }

  @Override
  public void close() {
    try {
      call("DELETE", base.resolve("/session/" + session), null);
    } catch (Exception e) {
      // the driver is stopped below anyway
    }
    driver.destroy();
    try {
      if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        driver.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

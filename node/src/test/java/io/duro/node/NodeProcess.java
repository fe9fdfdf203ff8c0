package io.duro.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node started as a separate JVM from the shaded jar ({@code java -jar duro-node.jar}), with its
 * stdout and stderr in files. Used by the tests that need a real process: exit codes, kill -9,
 * restarts. {@link #close()} kills the process it started (by its handle) if it still runs.
 */
final class NodeProcess implements AutoCloseable {

  /**
   * Longer than the node's own start timeout (60 s), so that a node that cannot start reports
   * why itself (with its threads' stacks on stderr) before a test gives up on it.
   */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final int port;

  private NodeProcess(Process process, Path stdout, Path stderr, int port) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.port = port;
  }

  /** The shaded jar that failsafe names in {@code duro.node.jar}. */
  static Path jar() {
    String jar = System.getProperty("duro.node.jar");
    if (jar == null) {
      throw new IllegalStateException(
          "System property duro.node.jar is not set: run this test with mvn verify (failsafe)");
    }
    Path p = Path.of(jar);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("The node jar " + p + " does not exist: run mvn package");
    }
    return p;
  }

  /**
   * A port that was free a moment ago, below the kernel's ephemeral range (32768–60999 here):
   * a port the kernel handed out (what {@code new ServerSocket(0)} returns) can be taken again,
   * before the node binds it, as the local port of any outgoing connection on the machine — the
   * load clients of these tests open thousands.
   */
  static int freePort() {
    IOException last = null;
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
      try (ServerSocket s = new ServerSocket(port)) {
        return s.getLocalPort();
      } catch (IOException taken) {
        last = taken;
      }
    }
    throw new UncheckedIOException("no free port in 20000-31999", last);
  }

  /**
   * Starts {@code java -jar duro-node.jar args...} without waiting for it to serve.
   *
   * @param logDir where {@code <name>.out} and {@code <name>.err} go
   * @param name a name for the log files
   * @param port the port passed with {@code --port} (for health checks), or -1 if none is
   */
  static NodeProcess launch(Path logDir, String name, int port, List<String> args)
      throws IOException {
    return launch(logDir, name, port, args, java.util.Map.of());
  }

  /** As {@link #launch(Path, String, int, List)}, with extra environment variables. */
  static NodeProcess launch(
      Path logDir, String name, int port, List<String> args, java.util.Map<String, String> env)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", jar().toString()));
    if (!args.contains("--management-port")) {
      // Pekko Management's default port (8558) would collide between nodes run side by side.
      command.addAll(List.of("--management-port", "" + freePort()));
    }
    command.addAll(args);
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    return new NodeProcess(process, out, err, port);
  }

  /** Starts a node on a free port and waits until {@code GET /_duro/health} answers 200. */
  /** A node serving the built-in app on {@code port}, its data under {@code dir/data}. */
  static NodeProcess builtIn(Path dir, int port) throws IOException {
    List<String> args = List.of("--port", "" + port, "--data-dir", dir.resolve("data").toString());
    return launch(dir, "node", port, args);
  }

  static NodeProcess start(Path logDir, String name, Path dataDir)
      throws IOException, InterruptedException {
    int port = freePort();
    NodeProcess node =
        launch(logDir, name, port, List.of("--port", "" + port, "--data-dir", dataDir.toString()));
    try {
      node.awaitHealthy();
    } catch (RuntimeException | Error e) {
      node.close();
      throw e;
    }
    return node;
  }

  void awaitHealthy() throws InterruptedException {
    HttpJson http = http();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "The node exited with " + process.exitValue() + " before serving: " + logs());
      }
      if (http.statusOrMinusOne("/_duro/health") == 200) {
        return;
      }
      Thread.sleep(100); // the poll interval of an awaited condition
    }
    throw new AssertionError("The node did not serve within " + START_TIMEOUT + ": " + logs());
  }

  /** Waits until stdout contains {@code text} (it is printed after the node starts serving). */
  void awaitStdout(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!stdout().contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("stdout never showed '" + text + "': " + logs());
      }
      Thread.sleep(50); // the poll interval of an awaited condition
    }
  }

  int port() {
    return port;
  }

  /** The management port the node printed at start ({@code management on http://host:port}). */
  int managementPort() throws InterruptedException {
    awaitStdout("management on", Duration.ofSeconds(30));
    String out = stdout();
    int at = out.indexOf("management on http://");
    String rest = out.substring(at + "management on http://".length()).split("\\s")[0];
    return Integer.parseInt(rest.substring(rest.lastIndexOf(':') + 1));
  }

  /**
   * Waits (up to 60 s) until this node's {@code /cluster/members} lists exactly {@code count} Up
   * members and no unreachable one.
   */
  void awaitUpMembers(int count) throws Exception {
    HttpJson management = new HttpJson(managementPort());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpJson.Answer members = management.get("/cluster/members");
        last = members.toString();
        int up = 0;
        for (JsonNode m : members.json().get("members")) {
          up += m.get("status").asText().equals("Up") ? 1 : 0;
        }
        if (up == count && members.json().get("unreachable").isEmpty()) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200); // the poll interval of an awaited condition
    }
    throw new AssertionError("The cluster never had " + count + " Up members: " + last);
  }

  HttpJson http() {
    return new HttpJson(port);
  }

  Process process() {
    return process;
  }

  /** Kills the process with SIGKILL and waits until it is gone. */
  void killDashNine() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("The node survived SIGKILL for 30 s");
    }
  }

  /** Sends SIGTERM (graceful shutdown: Pekko's coordinated shutdown runs). */
  void terminate() {
    process.destroy();
  }

  /** Waits for the process to end by itself. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("The node did not exit within " + timeout + ": " + logs());
    }
    return process.exitValue();
  }

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  String logs() {
    return "\n--- stdout ---\n"
        + tail(stdout(), 4000)
        + "\n--- stderr ---\n"
        + tail(stderr(), 60_000);
  }

  private static String tail(String s, int max) {
    return s.length() > max ? "..." + s.substring(s.length() - max) : s;
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "(cannot read " + p + ": " + e + ")";
    }
  }

  /** Stops the node gracefully (SIGTERM) and waits up to 60 s for it to exit. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      throw new AssertionError("the node did not stop within 60 s after SIGTERM");
    }
  }

  /** Kills the process if it still runs (SIGKILL), by its handle. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

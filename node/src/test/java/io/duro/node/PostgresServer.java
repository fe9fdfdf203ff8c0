package io.duro.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own (initdb, pg_ctl) in a temporary directory: listening on
 * 127.0.0.1 only, on a free port, its socket in that directory, trust authentication for user
 * {@code postgres}. A test may stop it (as a crash: {@code pg_ctl stop -m immediate}) and start
 * it again without touching the machine's main server. PostgreSQL refuses to run as root, so when
 * the test runs as root the commands run as the OS user {@code postgres} ({@code runuser}), which
 * owns the directory. {@link #close()} stops the server and deletes the directory.
 */
final class PostgresServer implements AutoCloseable {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /**
   * The directory with initdb and pg_ctl: the newest {@code /usr/lib/postgresql/<n>/bin}, else
   * {@code /usr/local/bin}; empty when neither has both.
   */
  static Optional<Path> binaries() {
    List<Path> candidates = new ArrayList<>();
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        versions
            .map(v -> v.resolve("bin"))
            .sorted(Comparator.comparing(PostgresServer::majorVersion).reversed())
            .forEach(candidates::add);
      } catch (IOException e) {
        // not readable: try /usr/local/bin
      }
    }
    candidates.add(Path.of("/usr/local/bin"));
    return candidates.stream()
        .filter(
            b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
        .findFirst();
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Creates a cluster in a new temporary directory with initdb and starts it.
   *
   * @param bin where initdb and pg_ctl are ({@link #binaries()})
   */
  static PostgresServer start(Path bin) throws IOException, InterruptedException {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("duro-postgres-");
    PostgresServer server = new PostgresServer(bin, dir, NodeProcess.freePort(), root);
    try {
      if (root) {
        UserPrincipal postgres =
            dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
      }
      server.run(
          "initdb", "-D", server.dataDir().toString(), "-U", PostgresDatabase.USER, "-A", "trust",
          "--no-sync", "-E", "UTF8");
      server.start();
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  private Path dataDir() {
    return dir.resolve("data");
  }

  /** The JDBC URL of the server, without a database: {@code jdbc:postgresql://127.0.0.1:p/}. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/";
  }

  /** Starts the (stopped) server and waits until it accepts connections. */
  void start() throws IOException, InterruptedException {
    run(
        "pg_ctl", "-D", dataDir().toString(), "-l", dir.resolve("server.log").toString(), "-w",
        "-t", "60", "-o",
        "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir,
        "start");
  }

  /** Stops the server as a crash would: {@code pg_ctl stop -m immediate}. */
  void stopImmediately() throws IOException, InterruptedException {
    run("pg_ctl", "-D", dataDir().toString(), "-w", "-m", "immediate", "stop");
  }

  /** The server's log (for failure messages). */
  String log() {
    try {
      Path log = dir.resolve("server.log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(cannot read the server log: " + e + ")";
    }
  }

  private void run(String tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (asPostgresUser) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile("duro-postgres-" + tool, ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            tool + " did not finish within " + COMMAND_TIMEOUT + ": " + Files.readString(out));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " failed with "
                + p.exitValue()
                + ": "
                + Files.readString(out)
                + "\nserver log: "
                + log());
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Stops the server if it runs (immediate mode) and deletes its directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      if (Files.exists(dataDir().resolve("postmaster.pid"))) {
        run("pg_ctl", "-D", dataDir().toString(), "-w", "-m", "immediate", "stop");
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}

package io.duro.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.duro.examples.BuiltInApp;
import io.duro.runtime.Application;
import io.duro.runtime.jdbc.EmbeddedJournal;
import io.duro.runtime.migrations.Manifest;
import io.duro.runtime.ObjectBinding;
import io.duro.server.DuroConfig;
import io.duro.server.DuroServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar duro-node.jar}: parses the command line, checks the data directory, starts the
 * node, and exits non-zero with a message that says what is wrong when it cannot. {@code
 * java -jar duro-node.jar migrations --dry-run ...} runs {@link MigrationsCommand} instead.
 */
public final class Main {

  private Main() {}

  /**
   * Starts a node and waits until it stops.
   *
   * @param args the command line (see {@code --help})
   */
  public static void main(String[] args) {
    // Initialize logging before any library logs from another thread; otherwise SLF4J replays
    // the early calls with a warning on every start.
    org.slf4j.LoggerFactory.getILoggerFactory();
    // H2's value cache (on by default) hashes every string it reads, to share equal values.
    // Waking an object reads its rows from pages that hold many other objects' rows, and that
    // hashing was a large share of the node's CPU when most requests woke an object
    // (docs/benchmarks.md, "Wakes on a slower machine"). -Dh2.objectCache=true on the command
    // line wins.
    if (System.getProperty("h2.objectCache") == null) {
      System.setProperty("h2.objectCache", "false");
    }
    if (args.length > 0 && args[0].equals("migrations")) {
      System.exit(
          MigrationsCommand.run(
              List.of(args).subList(1, args.length), System.out, System.err));
      return;
    }
    CommandLine cli;
    try {
      cli = CommandLine.parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("duro-node: " + e.getMessage());
      System.err.println("Run with --help for the list of flags.");
      System.exit(2);
      return;
    }
    if (cli.help()) {
      System.out.print(CommandLine.USAGE);
      return;
    }
    DuroServer server;
    try {
      server = start(cli);
    } catch (RuntimeException e) {
      System.err.println("duro-node: cannot start: " + describe(e));
      System.exit(1);
      return;
    }
    Config config = server.system().settings().config();
    System.out.println(
        "Duro node serving on http://localhost:"
            + server.port()
            + " (data in "
            + config.getString("duro.data-dir")
            + ")");
    System.out.println(
        "Cluster member "
            + server.system().address()
            + (config.getBoolean("duro.management.enabled")
                ? ", management on http://"
                    + config.getString("pekko.management.http.hostname")
                    + ":"
                    + config.getString("pekko.management.http.port")
                : ""));
    server.whenTerminated().toCompletableFuture().join();
  }

  /**
   * Starts a node for a parsed command line.
   *
   * @param cli the command line
   * @return the running node
   * @throws IllegalStateException saying what is wrong (data directory, journal, port)
   */
  /** The stacks of the JVM's threads (at most 40 frames each): what a stuck start waits for. */
  static String threadDump() {
    StringBuilder out = new StringBuilder();
    for (java.lang.management.ThreadInfo info :
        java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
      if (info.getLockName() != null) {
        out.append(" on ").append(info.getLockName());
      }
      out.append('\n');
      StackTraceElement[] stack = info.getStackTrace();
      for (int i = 0; i < Math.min(stack.length, 40); i++) {
        out.append("    at ").append(stack[i]).append('\n');
      }
    }
    return out.toString();
  }

  static DuroServer start(CommandLine cli) {
    Application application = application(cli);
    Config overlay = overlay(cli);
    Config configured = DuroConfig.load(overlay);
    // The data directory's checks and marker are about the embedded H2 journal; with another
    // journal (PostgreSQL) the directory is only made absolute.
    boolean h2 = EmbeddedJournal.isEmbedded(configured);
    Path configuredDir = Path.of(configured.getString("duro.data-dir"));
    Path dataDir =
        h2 ? DataDirectory.prepare(configuredDir) : configuredDir.toAbsolutePath().normalize();
    Config config =
        DuroConfig.load(
            ConfigFactory.parseMap(Map.of("duro.data-dir", dataDir.toString()))
                .withFallback(overlay));
    DataDirectory.checkJournalOpens(config, dataDir);
    JournalDatabase.checkReachable(config);
    DuroServer server;
    try {
      server =
          DuroServer.start(config, application)
              .toCompletableFuture()
              .get(DuroServer.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof DuroServer.StartFailure failure) {
        throw new IllegalStateException(
            failure.getMessage()
                + (failure.isJournalFailure() && EmbeddedJournal.isEmbedded(config)
                    ? DataDirectory.corruptionHint(dataDir)
                    : ""),
            failure);
      }
      throw new IllegalStateException(describe(cause), cause);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println(
          "duro-node: the node did not start within "
              + DuroServer.START_TIMEOUT.toSeconds()
              + " s; where its threads are:\n"
              + threadDump());
      throw new IllegalStateException(
          "the node did not start within " + DuroServer.START_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
    if (h2) {
      DataDirectory.markInitialized(dataDir);
    }
    return server;
  }

  /**
   * Command-line flags over the {@code --config} file, over the node's own defaults (the node,
   * unlike in-JVM test nodes, serves Pekko Management).
   */
  static Config overlay(CommandLine cli) {
    Map<String, Object> flags = new HashMap<>();
    cli.dataDir().ifPresent(d -> flags.put("duro.data-dir", d.toString()));
    cli.port().ifPresent(p -> flags.put("duro.gateway.port", p));
    cli.region().ifPresent(r -> flags.put("duro.region", r));
    if (!cli.seeds().isEmpty()) {
      flags.put(
          "pekko.cluster.seed-nodes",
          cli.seeds().stream().map(CommandLine::seedAddress).toList());
    }
    cli.clusterHost().ifPresent(h -> flags.put("pekko.remote.artery.canonical.hostname", h));
    cli.clusterPort().ifPresent(p -> flags.put("pekko.remote.artery.canonical.port", p));
    cli.managementPort().ifPresent(p -> flags.put("duro.management.port", p));
    Config file =
        cli.configFile()
            .map(f -> ConfigFactory.parseFile(f.toFile()))
            .orElse(ConfigFactory.empty());
    return ConfigFactory.parseMap(flags)
        .withFallback(file)
        .withFallback(ConfigFactory.parseMap(Map.of("duro.management.enabled", true)));
  }

  /**
   * The application a command line names: an {@code --app} jar, a {@code --manifest} file, or the
   * built-in application.
   *
   * @throws io.duro.runtime.migrations.ManifestException naming the file, JSON path and problem
   */
  static Application application(CommandLine cli) {
    ClassLoader nodeLoader = Main.class.getClassLoader();
    if (cli.app().isPresent()) {
      return Manifest.loadJar(cli.app().get(), nodeLoader);
    }
    if (cli.manifest().isPresent()) {
      return Manifest.loadFile(cli.manifest().get(), nodeLoader);
    }
    return builtInApplication();
  }

  static Application builtInApplication() {
    List<ObjectBinding> bindings = new ArrayList<>();
    BuiltInApp.bindings().forEach((name, type) -> bindings.add(ObjectBinding.of(name, type)));
    return new Application(bindings, Map.of());
  }

  private static String describe(Throwable t) {
    while ((t instanceof CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    StringBuilder b = new StringBuilder(String.valueOf(t.getMessage()));
    Throwable cause = t.getCause();
    int depth = 0;
    while (cause != null && depth++ < 4) {
      if (cause.getMessage() != null && !b.toString().contains(cause.getMessage())) {
        b.append(" (caused by ").append(cause.getMessage()).append(')');
      }
      cause = cause.getCause();
    }
    return b.toString();
  }
}

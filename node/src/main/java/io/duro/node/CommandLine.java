package io.duro.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The node's parsed command line.
 *
 * @param port gateway port, or empty for the configured default (8080)
 * @param dataDir data directory, or empty for the configured default ({@code ./duro-data})
 * @param configFile HOCON overlay, or empty
 * @param region region name, or empty
 * @param app application jar ({@code --app}), or empty
 * @param manifest manifest file ({@code --manifest}), or empty
 * @param seeds cluster seed nodes as {@code host:port} (repeatable {@code --seed}), or empty
 * @param clusterHost the Artery (cluster remoting) host name other nodes reach this one at
 * @param clusterPort the Artery port, or empty for the configured default
 * @param managementPort the Pekko Management HTTP port, or empty for the configured default
 * @param help whether {@code --help} was given
 */
record CommandLine(
    Optional<Integer> port,
    Optional<Path> dataDir,
    Optional<Path> configFile,
    Optional<String> region,
    Optional<Path> app,
    Optional<Path> manifest,
    List<String> seeds,
    Optional<String> clusterHost,
    Optional<Integer> clusterPort,
    Optional<Integer> managementPort,
    boolean help) {

  CommandLine {
    seeds = List.copyOf(seeds);
  }

  static final String USAGE =
      """
      Usage: java -jar duro-node.jar [flags]
             java -jar duro-node.jar migrations --dry-run [--app JAR | --manifest FILE] [flags]

      Starts a Duro node: the HTTP gateway, the object runtime and its journal.
      Without flags it serves the built-in example application on port 8080
      with an embedded H2 journal in ./duro-data.

      Flags:
        --port N          HTTP gateway port (default 8080; 0 picks a free port)
        --data-dir DIR    where the embedded H2 journal lives (default ./duro-data)
        --config FILE     HOCON file overlaid on the defaults (journal, cluster, limits)
        --region NAME     this node's region, for placement (default "local")
        --app JAR         serve the application in JAR: its classes, and the
                          duro.json manifest at the jar's root
        --manifest FILE   serve the application described by a duro.json FILE
                          whose classes are on the node's class path
        --help            print this text and exit

      Without --app or --manifest the node serves the built-in application.
      A manifest or class that cannot be used stops the node at start (exit 1), and so
      does a manifest whose migrations skip, reorder or rewrite applied ones
      (docs/migrations.md). "migrations --dry-run" prints what a start would apply.
      Cluster (see docs/operations.md; all of these can also be set in --config):
        --seed HOST:PORT  a seed node's Artery address; repeat for several seeds.
                          Every node of a cluster gets the same list. Without any
                          seed the node forms a cluster of its own.
        --cluster-host H  host name or IP the other nodes reach this node at
                          (default 127.0.0.1)
        --cluster-port N  Artery (cluster remoting) port (default 0: any free port;
                          a seed node needs a fixed one)
        --management-port N
                          Pekko Management HTTP port: /ready, /alive,
                          /cluster/members (default 8558)

      """;

  /**
   * Parses the arguments.
   *
   * @param args the arguments
   * @return the command line
   * @throws IllegalArgumentException with a message naming the bad flag or value
   */
  static CommandLine parse(List<String> args) {
    Optional<Integer> port = Optional.empty();
    Optional<Path> dataDir = Optional.empty();
    Optional<Path> config = Optional.empty();
    Optional<String> region = Optional.empty();
    Optional<Path> app = Optional.empty();
    Optional<Path> manifest = Optional.empty();
    List<String> seeds = new java.util.ArrayList<>();
    Optional<String> clusterHost = Optional.empty();
    Optional<Integer> clusterPort = Optional.empty();
    Optional<Integer> managementPort = Optional.empty();
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      String inlineValue = null;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        inlineValue = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      }
      switch (flag) {
        case "--help", "-h" -> help = true;
        case "--port" ->
            port = Optional.of(portNumber(flag, inlineValue, args, inlineValue != null ? i : ++i));
        case "--cluster-port" ->
            clusterPort =
                Optional.of(portNumber(flag, inlineValue, args, inlineValue != null ? i : ++i));
        case "--management-port" ->
            managementPort =
                Optional.of(portNumber(flag, inlineValue, args, inlineValue != null ? i : ++i));
        case "--cluster-host" -> {
          String v = inlineValue != null ? inlineValue : value(args, ++i, flag);
          if (v.isBlank() || v.contains(":") && !v.startsWith("[")) {
            throw new IllegalArgumentException(
                "--cluster-host needs a host name or IP address (no port); got '" + v + "'");
          }
          clusterHost = Optional.of(v);
        }
        case "--seed" -> {
          String v = inlineValue != null ? inlineValue : value(args, ++i, flag);
          int colon = v.lastIndexOf(':');
          boolean valid = colon > 0 && v.substring(colon + 1).matches("[0-9]{1,5}");
          if (!valid || Integer.parseInt(v.substring(colon + 1)) > 65535
              || Integer.parseInt(v.substring(colon + 1)) == 0) {
            throw new IllegalArgumentException(
                "--seed needs HOST:PORT, the Artery address of a seed node (e.g. 10.0.0.1:25520);"
                    + " got '" + v + "'");
          }
          seeds.add(v);
        }
        case "--data-dir" -> {
          String v = inlineValue != null ? inlineValue : value(args, ++i, flag);
          if (v.isBlank()) {
            throw new IllegalArgumentException("--data-dir needs a directory; got an empty value");
          }
          dataDir = Optional.of(Path.of(v));
        }
        case "--config" -> {
          Path p = Path.of(inlineValue != null ? inlineValue : value(args, ++i, flag));
          if (!p.toFile().isFile()) {
            throw new IllegalArgumentException("--config file " + p + " does not exist");
          }
          config = Optional.of(p);
        }
        case "--region" -> {
          String v = inlineValue != null ? inlineValue : value(args, ++i, flag);
          if (!v.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException(
                "--region needs a name of lowercase letters, digits and '-'; got '" + v + "'");
          }
          region = Optional.of(v);
        }
        case "--app" -> {
          Path p = Path.of(inlineValue != null ? inlineValue : value(args, ++i, flag));
          if (!p.toFile().isFile()) {
            throw new IllegalArgumentException("--app jar " + p + " does not exist");
          }
          app = Optional.of(p);
        }
        case "--manifest" -> {
          Path p = Path.of(inlineValue != null ? inlineValue : value(args, ++i, flag));
          if (!p.toFile().isFile()) {
            throw new IllegalArgumentException("--manifest file " + p + " does not exist");
          }
          manifest = Optional.of(p);
        }
        default -> throw new IllegalArgumentException("Unknown flag '" + args.get(i) + "'");
      }
    }
    if (app.isPresent() && manifest.isPresent()) {
      throw new IllegalArgumentException(
          "--app and --manifest cannot be used together: an application jar carries its own"
              + " duro.json");
    }
    return new CommandLine(
        port, dataDir, config, region, app, manifest, seeds, clusterHost, clusterPort,
        managementPort, help);
  }

  /** The Pekko address of a seed given as {@code host:port} (the actor system is "duro"). */
  static String seedAddress(String hostPort) {
    return "pekko://duro@" + hostPort;
  }

  private static int portNumber(String flag, String inlineValue, List<String> args, int i) {
    String v = inlineValue != null ? inlineValue : value(args, i, flag);
    try {
      int p = Integer.parseInt(v);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a number 0..65535; got '" + v + "'");
    }
  }

  private static String value(List<String> args, int i, String flag) {
    if (i >= args.size() || args.get(i).startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args.get(i);
  }
}

package io.duro.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The node's parsed command line (DESIGN §9).
 *
 * @param port gateway port, or empty for the configured default (8080)
 * @param dataDir data directory, or empty for the configured default ({@code ./duro-data})
 * @param configFile HOCON overlay, or empty
 * @param region region name, or empty
 * @param app application jar ({@code --app}), or empty
 * @param manifest manifest file ({@code --manifest}), or empty
 * @param help whether {@code --help} was given
 */
record CommandLine(
    Optional<Integer> port,
    Optional<Path> dataDir,
    Optional<Path> configFile,
    Optional<String> region,
    Optional<Path> app,
    Optional<Path> manifest,
    boolean help) {

  static final String USAGE =
      """
      Usage: java -jar duro-node.jar [flags]

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
      A manifest or class that cannot be used stops the node at start (exit 1).
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
        case "--port" -> {
          String v = inlineValue != null ? inlineValue : value(args, ++i, flag);
          try {
            int p = Integer.parseInt(v);
            if (p < 0 || p > 65535) {
              throw new NumberFormatException();
            }
            port = Optional.of(p);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number 0..65535; got '" + v + "'");
          }
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
    return new CommandLine(port, dataDir, config, region, app, manifest, help);
  }

  private static String value(List<String> args, int i, String flag) {
    if (i >= args.size() || args.get(i).startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args.get(i);
  }
}

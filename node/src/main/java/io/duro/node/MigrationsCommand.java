package io.duro.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.duro.runtime.Application;
import io.duro.runtime.jdbc.EmbeddedJournal;
import io.duro.runtime.migrations.ManifestException;
import io.duro.runtime.migrations.MigrationException;
import io.duro.runtime.migrations.MigrationPlan;
import io.duro.runtime.migrations.MigrationStore;
import io.duro.server.DuroConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code java -jar duro-node.jar migrations --dry-run [--app JAR | --manifest FILE] [--data-dir
 * DIR | --config FILE]}: prints which migrations the application's database has applied and what
 * a node starting with this manifest would apply, or why it would refuse to start. Writes nothing:
 * the embedded H2 file is opened read-only (and not created), PostgreSQL through a read-only
 * connection, and no table is created.
 */
final class MigrationsCommand {

  static final String USAGE =
      """
      Usage: java -jar duro-node.jar migrations --dry-run [--app JAR | --manifest FILE]
                                                [--data-dir DIR | --config FILE]

      Prints the migrations the database has applied for the application and what a
      node starting with this manifest would apply (or why it would refuse to start).
      Nothing is written. Migrations are applied when a node starts.
      Exit code: 0 when the node would start, 1 when it would refuse, 2 for bad flags.
      """;

  private MigrationsCommand() {}

  /**
   * Runs the command.
   *
   * @param args the arguments after {@code migrations}
   * @param out where the report goes
   * @param err where errors go
   * @return the exit code
   */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(args);
    boolean dryRun = rest.remove("--dry-run");
    CommandLine cli;
    try {
      cli = CommandLine.parse(rest);
    } catch (IllegalArgumentException e) {
      err.println("duro-node migrations: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (cli.help()) {
      out.print(USAGE);
      return 0;
    }
    if (!dryRun) {
      err.println("duro-node migrations: only --dry-run is supported; migrations are applied when"
          + " a node starts with the manifest");
      err.print(USAGE);
      return 2;
    }
    try {
      Application app = Main.application(cli);
      if (app.migrations().isEmpty()) {
        out.println("Application '" + app.name() + "' has no migrations: it runs unmanaged"
            + " (each class's namespace is its class name); nothing to apply.");
        return 0;
      }
      Config config = DuroConfig.load(Main.overlay(cli));
      String url = config.getString(JournalDatabase.DB + ".url");
      MigrationPlan plan;
      Optional<Path> file = EmbeddedJournal.file(config);
      if (file.isPresent()) {
        if (!Files.exists(file.get())) {
          out.println("Application '" + app.name() + "': no journal database "
              + file.get().toAbsolutePath().normalize()
              + " yet; a node starting there creates it.");
          plan = MigrationPlan.of(app, List.of(), List.of());
          print(plan, out);
          return 0;
        }
        // A journal left by kill -9 is recovered as a node's start would (the full scan changes
        // no data: it makes the last commit the one H2 opens); otherwise a read-only open could
        // show an older state.
        EmbeddedJournal.recoverIfNotClosedCleanly(config)
            .ifPresent(recovered -> out.println("Note: " + recovered + "."));
        // Read-only, and never created: the dry run must not write.
        url = url + ";IFEXISTS=TRUE;ACCESS_MODE_DATA=r";
        config = ConfigFactory.parseMap(Map.of(JournalDatabase.DB + ".url", url))
            .withFallback(config);
      }
      MigrationStore store = MigrationStore.of(config);
      out.println("Application '" + app.name() + "', database " + store.url());
      plan = store.dryRun(app);
      print(plan, out);
      return 0;
    } catch (ManifestException | MigrationException e) {
      err.println("duro-node migrations: a node would refuse to start: " + e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      err.println("duro-node migrations: " + e.getMessage());
      return 1;
    }
  }

  private static void print(MigrationPlan plan, PrintStream out) {
    out.println("Applied: " + (plan.applied().isEmpty() ? "none" : String.join(", ",
        plan.applied())));
    if (plan.steps().isEmpty()) {
      out.println("Nothing to apply: every migration of the manifest is applied.");
    } else {
      out.println("Would apply " + String.join(", ", plan.pendingTags()) + ":");
      for (MigrationPlan.Step step : plan.steps()) {
        out.println("  " + step.tag() + ": " + step.describe());
      }
    }
    out.println("Dry run: nothing was written.");
  }
}

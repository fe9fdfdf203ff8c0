package io.duro.runtime.migrations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.duro.runtime.Application;
import io.duro.runtime.migrations.Manifest.Migration;
import io.duro.runtime.migrations.Manifest.RenamedClass;
import io.duro.runtime.migrations.Manifest.TransferredClass;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What applying an application's migrations to its database does: compares the manifest's
 * migrations with those the database has recorded (each applied one must be there, unchanged, at
 * its place) and turns the rest into steps on the namespace table. Pure: it reads two lists and
 * writes nothing, so the same plan serves {@code migrations --dry-run} and the start of a node.
 *
 * <p>A class's <em>namespace key</em> (the first part of its objects' persistence IDs, the key of
 * their ID hashes, and the {@code namespace} of their alarm rows) is fixed when a migration
 * introduces the class: the class name, unless some namespace in the database already uses that
 * key, then {@code <class>@<app>:<tag>}. Renames and transfers move the key to the new class (and
 * application), so objects, IDs and alarms follow without rewriting a journal row.
 *
 * @param app the application's name
 * @param applied the tags already applied, in order
 * @param steps the changes to make, in order (empty when every migration is applied)
 * @param keysByClass the namespace key of each of the application's classes once the plan is done
 */
public record MigrationPlan(
    String app, List<String> applied, List<Step> steps, Map<String, String> keysByClass) {

  /** Copies. */
  public MigrationPlan {
    applied = List.copyOf(applied);
    steps = List.copyOf(steps);
    keysByClass = Map.copyOf(keysByClass);
  }

  /** Namespace states in the database. */
  static final String ACTIVE = "active";

  static final String DELETING = "deleting";
  static final String DELETED = "deleted";

  /**
   * A migration recorded in the database.
   *
   * @param position its place in the application's list, from 0
   * @param tag its tag
   * @param definition its canonical JSON (see {@link #definition})
   * @param appliedAt when, in epoch milliseconds
   * @param appliedBy the node that applied it
   */
  public record Applied(
      int position, String tag, String definition, long appliedAt, String appliedBy) {}

  /**
   * A namespace (the objects of one class) recorded in the database.
   *
   * @param key the namespace key
   * @param app the application that owns it
   * @param className the class that serves it
   * @param status {@code active}, {@code deleting} or {@code deleted}
   * @param tag the migration that changed it last
   * @param deletedObjects objects removed so far (for a deleted class)
   * @param deletedEvents journal events removed so far
   * @param deletedSnapshots snapshots removed so far
   * @param deletedAlarms alarm rows removed so far
   */
  public record Namespace(
      String key,
      String app,
      String className,
      String status,
      String tag,
      long deletedObjects,
      long deletedEvents,
      long deletedSnapshots,
      long deletedAlarms) {}

  /** One change to the database. */
  public sealed interface Step {
    /**
     * The migration the step belongs to.
     *
     * @return the tag
     */
    String tag();

    /**
     * What the step does, for the log and the dry run.
     *
     * @return one line
     */
    String describe();
  }

  /**
   * A class gets a new namespace.
   *
   * @param tag the migration
   * @param className the class
   * @param key its new namespace key
   */
  public record Introduce(String tag, String className, String key) implements Step {
    @Override
    public String describe() {
      return "new class " + className + " (namespace " + key + ")";
    }
  }

  /**
   * A class takes a new name and keeps its namespace.
   *
   * @param tag the migration
   * @param key the namespace key
   * @param from the old name
   * @param to the new name
   */
  public record Rename(String tag, String key, String from, String to) implements Step {
    @Override
    public String describe() {
      return "rename class " + from + " to " + to + " (namespace " + key + "; objects, IDs and"
          + " alarms kept)";
    }
  }

  /**
   * A class's namespace is marked for deletion; its objects are removed in the background.
   *
   * @param tag the migration
   * @param key the namespace key
   * @param className the class
   */
  public record Delete(String tag, String key, String className) implements Step {
    @Override
    public String describe() {
      return "delete class " + className + " (namespace " + key + "): its objects, journal"
          + " events, snapshots and alarms are removed in the background";
    }
  }

  /**
   * A namespace moves from another application's class to one of this application.
   *
   * @param tag the migration
   * @param key the namespace key
   * @param fromApp the other application
   * @param from its class
   * @param toApp this application
   * @param to this application's class
   */
  public record Transfer(String tag, String key, String fromApp, String from, String toApp,
      String to) implements Step {
    @Override
    public String describe() {
      return "transfer class " + from + " of application '" + fromApp + "' to class " + to
          + " (namespace " + key + "; objects, IDs and alarms kept)";
    }
  }

  /**
   * The migration is recorded as applied.
   *
   * @param tag the migration
   * @param position its place in the list, from 0
   * @param definition its canonical JSON
   */
  public record MarkApplied(String tag, int position, String definition) implements Step {
    @Override
    public String describe() {
      return "record migration '" + tag + "' as applied (number " + (position + 1) + ")";
    }
  }

  /**
   * The tags this plan applies, in order.
   *
   * @return the tags of its {@link MarkApplied} steps
   */
  public List<String> pendingTags() {
    return steps.stream().filter(s -> s instanceof MarkApplied).map(Step::tag).toList();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The canonical JSON of a migration, as recorded: lists sorted, so that only a change of meaning
   * counts as a rewrite.
   *
   * @param m the migration
   * @return the JSON
   */
  public static String definition(Migration m) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("tag", m.tag());
    d.put("new_classes", m.newClasses().stream().sorted().toList());
    d.put("renamed_classes", m.renamedClasses().stream()
        .sorted(Comparator.comparing(RenamedClass::from).thenComparing(RenamedClass::to))
        .map(r -> {
          Map<String, String> e = new LinkedHashMap<>();
          e.put("from", r.from());
          e.put("to", r.to());
          return e;
        }).toList());
    d.put("deleted_classes", m.deletedClasses().stream().sorted().toList());
    d.put("transferred_classes", m.transferredClasses().stream()
        .sorted(Comparator.comparing(TransferredClass::fromScript)
            .thenComparing(TransferredClass::from).thenComparing(TransferredClass::to))
        .map(t -> {
          Map<String, String> e = new LinkedHashMap<>();
          e.put("from", t.from());
          e.put("from_script", t.fromScript());
          e.put("to", t.to());
          return e;
        }).toList());
    try {
      return JSON.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a migration as JSON", e);
    }
  }

  /**
   * Plans the migrations of an application.
   *
   * @param app the application (its migrations already obey the manifest's rules)
   * @param applied the migrations the database records for it, in order
   * @param namespaces every namespace the database records (of all applications)
   * @return the plan
   * @throws MigrationException when the manifest skips, reorders or rewrites an applied migration,
   *     or names a class the database does not have
   */
  public static MigrationPlan of(
      Application app, List<Applied> applied, List<Namespace> namespaces) {
    String name = app.name();
    List<Migration> migrations = app.migrations();
    List<String> tags = migrations.stream().map(Migration::tag).toList();
    List<String> appliedTags = applied.stream().map(Applied::tag).toList();
    for (int i = 0; i < applied.size(); i++) {
      Applied a = applied.get(i);
      int at = tags.indexOf(a.tag());
      if (at < 0) {
        throw new MigrationException(name, "migrations", "the applied migration '" + a.tag()
            + "' (number " + (i + 1) + " of " + String.join(", ", appliedTags)
            + ") is missing; a manifest must keep every applied migration, unchanged and in"
            + " order, and add new ones after '" + appliedTags.get(appliedTags.size() - 1)
            + "' (tags cannot be skipped or removed)");
      }
      if (at != i) {
        throw new MigrationException(name, "migrations[" + at + "].tag", "migration '"
            + a.tag() + "' was applied as number " + (i + 1) + (i == 0 ? "" : " (after '"
            + applied.get(i - 1).tag() + "')") + " but the manifest lists it as number "
            + (at + 1) + (at == 0 ? "" : " (after '" + tags.get(at - 1) + "')")
            + "; applied migrations cannot be reordered and new ones go after '"
            + appliedTags.get(appliedTags.size() - 1) + "' (applied: "
            + String.join(", ", appliedTags) + ")");
      }
      String now = definition(migrations.get(at));
      if (!now.equals(a.definition())) {
        throw new MigrationException(name, "migrations[" + at + "]", "migration '" + a.tag()
            + "' was applied as " + a.definition() + " but the manifest now says " + now
            + "; an applied migration cannot be rewritten: restore it and put the change in a"
            + " new migration with a new tag");
      }
    }
    // Working state: the active namespaces per (application, class), and every key in use.
    Map<String, Namespace> active = new LinkedHashMap<>();
    Set<String> keys = new HashSet<>();
    for (Namespace n : namespaces) {
      keys.add(n.key());
      if (n.status().equals(ACTIVE)) {
        active.put(slot(n.app(), n.className()), n);
      }
    }
    List<Step> steps = new ArrayList<>();
    for (int i = applied.size(); i < migrations.size(); i++) {
      Migration m = migrations.get(i);
      String tag = m.tag();
      String path = "migrations[" + i + "]";
      for (String c : m.newClasses()) {
        String key = keys.contains(c) ? c + "@" + name + ":" + tag : c;
        if (keys.contains(key)) {
          throw new MigrationException(name, path + ".new_classes", "the namespace key " + key
              + " for class " + c + " is already in use in this database");
        }
        keys.add(key);
        active.put(slot(name, c), new Namespace(key, name, c, ACTIVE, tag, 0, 0, 0, 0));
        steps.add(new Introduce(tag, c, key));
      }
      for (int j = 0; j < m.renamedClasses().size(); j++) {
        RenamedClass r = m.renamedClasses().get(j);
        Namespace n = own(active, name, r.from(), path + ".renamed_classes[" + j + "].from");
        active.remove(slot(name, r.from()));
        active.put(slot(name, r.to()), withClass(n, name, r.to(), tag));
        steps.add(new Rename(tag, n.key(), r.from(), r.to()));
      }
      for (int j = 0; j < m.deletedClasses().size(); j++) {
        String c = m.deletedClasses().get(j);
        Namespace n = own(active, name, c, path + ".deleted_classes[" + j + "]");
        active.remove(slot(name, c));
        steps.add(new Delete(tag, n.key(), c));
      }
      for (int j = 0; j < m.transferredClasses().size(); j++) {
        TransferredClass t = m.transferredClasses().get(j);
        Namespace n = active.remove(slot(t.fromScript(), t.from()));
        if (n == null) {
          throw new MigrationException(name, path + ".transferred_classes[" + j + "]",
              "application '" + t.fromScript() + "' has no class " + t.from() + " in this"
              + " database (no applied migration of '" + t.fromScript() + "' introduced it, or"
              + " it was deleted or transferred already); start '" + t.fromScript()
              + "' with its migrations on this database first, and check the names");
        }
        active.put(slot(name, t.to()), withClass(n, name, t.to(), tag));
        steps.add(new Transfer(tag, n.key(), t.fromScript(), t.from(), name, t.to()));
      }
      steps.add(new MarkApplied(tag, i, definition(m)));
    }
    Map<String, String> keysByClass = new LinkedHashMap<>();
    active.values().stream()
        .filter(n -> n.app().equals(name))
        .forEach(n -> keysByClass.put(n.className(), n.key()));
    for (int i = 0; i < app.bindings().size(); i++) {
      String c = app.bindings().get(i).objectClass().getName();
      if (!keysByClass.containsKey(c)) {
        throw new MigrationException(name, "durable_objects.bindings[" + i + "].class_name",
            "class " + c + " has no namespace of application '" + name + "' in this database:"
            + " its applied migrations introduced it, but it was transferred to another"
            + " application since; remove the binding");
      }
    }
    return new MigrationPlan(name, appliedTags, steps, keysByClass);
  }

  private static String slot(String app, String className) {
    return app + "\u0000" + className;
  }

  private static Namespace own(
      Map<String, Namespace> active, String app, String className, String path) {
    Namespace n = active.get(slot(app, className));
    if (n == null) {
      throw new MigrationException(app, path, "class " + className + " has no namespace of"
          + " application '" + app + "' in this database, so it cannot be renamed or deleted"
          + " (was it transferred to another application?)");
    }
    return n;
  }

  private static Namespace withClass(Namespace n, String app, String className, String tag) {
    return new Namespace(n.key(), app, className, ACTIVE, tag, 0, 0, 0, 0);
  }
}

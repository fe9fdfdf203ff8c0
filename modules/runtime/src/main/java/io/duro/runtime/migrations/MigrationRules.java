package io.duro.runtime.migrations;

import io.duro.runtime.migrations.Manifest.Migration;
import io.duro.runtime.migrations.Manifest.RenamedClass;
import io.duro.runtime.migrations.Manifest.TransferredClass;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules a list of migrations obeys on its own, without the database: tags unique, and each
 * change makes sense for the classes that exist at that point (a class is introduced once, only an
 * existing class is renamed or deleted, a rename or transfer targets a free name), and every bound
 * class exists after the last migration. Replays the list in order, keeping the set of live
 * classes; the first violation is reported with the JSON path of the entry that breaks it.
 */
public final class MigrationRules {

  /** Longest tag (the database column's size). */
  static final int MAX_TAG_LENGTH = 255;

  /** Makes the exception for a violation at a JSON path. */
  @FunctionalInterface
  public interface Errors {
    RuntimeException at(String path, String problem);
  }

  private MigrationRules() {}

  /**
   * Checks the migrations of an application.
   *
   * @param appName the application's name (a transfer from itself is refused)
   * @param migrations the migrations, in order
   * @param boundClasses the bound class names, in binding order
   * @param errors makes the exception thrown for the first violation
   */
  public static void check(
      String appName, List<Migration> migrations, List<String> boundClasses, Errors errors) {
    Map<String, Integer> tags = new HashMap<>();
    // class → where it became live; class → what happened to it, for messages
    Map<String, String> live = new LinkedHashMap<>();
    Map<String, String> gone = new HashMap<>();
    for (int i = 0; i < migrations.size(); i++) {
      Migration m = migrations.get(i);
      String path = "migrations[" + i + "]";
      String tag = m.tag();
      Integer previous = tags.putIfAbsent(tag, i);
      if (previous != null) {
        throw errors.at(path + ".tag", "tag '" + tag + "' is already used by migrations["
            + previous + "]; each migration needs its own tag");
      }
      for (int j = 0; j < m.newClasses().size(); j++) {
        String c = m.newClasses().get(j);
        String p = path + ".new_classes[" + j + "]";
        String before = live.get(c);
        if (before != null) {
          throw errors.at(p, "class " + c + " is already introduced by " + before);
        }
        live.put(c, p);
        gone.remove(c);
      }
      for (int j = 0; j < m.renamedClasses().size(); j++) {
        RenamedClass r = m.renamedClasses().get(j);
        String p = path + ".renamed_classes[" + j + "]";
        if (r.from().equals(r.to())) {
          throw errors.at(p, "from and to are the same class " + r.from());
        }
        requireLive(live, gone, r.from(), p + ".from", "renamed", tag, errors);
        requireFree(live, r.to(), p + ".to", tag, errors);
        live.remove(r.from());
        live.put(r.to(), p + ".to");
        gone.remove(r.to());
        gone.put(r.from(), "renamed to " + r.to() + " by migration '" + tag + "' (" + p
            + "); bind " + r.to() + " instead");
      }
      for (int j = 0; j < m.deletedClasses().size(); j++) {
        String c = m.deletedClasses().get(j);
        String p = path + ".deleted_classes[" + j + "]";
        requireLive(live, gone, c, p, "deleted", tag, errors);
        live.remove(c);
        gone.put(c, "deleted by migration '" + tag + "' (" + p + "); its objects are removed,"
            + " so remove the binding too");
      }
      for (int j = 0; j < m.transferredClasses().size(); j++) {
        TransferredClass t = m.transferredClasses().get(j);
        String p = path + ".transferred_classes[" + j + "]";
        if (t.fromScript().equals(appName)) {
          throw errors.at(p + ".from_script", "from_script names this application ('" + appName
              + "'); transferred_classes moves objects from another application — within one"
              + " application use renamed_classes");
        }
        requireFree(live, t.to(), p + ".to", tag, errors);
        live.put(t.to(), p + ".to");
        gone.remove(t.to());
      }
    }
    for (int i = 0; i < boundClasses.size(); i++) {
      String c = boundClasses.get(i);
      if (live.containsKey(c)) {
        continue;
      }
      String path = "durable_objects.bindings[" + i + "].class_name";
      if (gone.containsKey(c)) {
        throw errors.at(path, "class " + c + " is still bound but was " + gone.get(c));
      }
      throw errors.at(path, "class " + c
          + " is not introduced by any migration; add it to the new_classes of a migration,"
          + " e.g. \"migrations\": [{\"tag\": \"v1\", \"new_classes\": [\"" + c + "\"]}]");
    }
  }

  private static void requireLive(Map<String, String> live, Map<String, String> gone, String c,
      String path, String verb, String tag, Errors errors) {
    if (!live.containsKey(c)) {
      String history = gone.containsKey(c) ? " (it was " + gone.get(c).split(";")[0] + ")" : "";
      throw errors.at(path, "class " + c + " cannot be " + verb + " by migration '" + tag
          + "': no earlier migration introduced it" + history
          + "; only a class that exists at this point (new_classes, renamed_classes.to or"
          + " transferred_classes.to of an earlier entry) can be " + verb);
    }
  }

  private static void requireFree(
      Map<String, String> live, String c, String path, String tag, Errors errors) {
    if (live.containsKey(c)) {
      throw errors.at(path, "class " + c + " already exists at migration '" + tag
          + "' (introduced by " + live.get(c) + "); choose a class name that is not in use");
    }
  }
}

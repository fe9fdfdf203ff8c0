package io.duro.gateway;

import io.duro.runtime.migrations.MigrationPlan;
import io.duro.runtime.migrations.MigrationStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /_duro/migrations}: {@code {"app", "applied": [{"tag", "applied_at",
 * "applied_by"}], "classes": [{"class", "namespace", "status", "tag", "deleted": {"objects",
 * "events", "snapshots", "alarms"}}]}}. Status is {@code active}, {@code deleting} (objects being
 * removed) or {@code deleted}.
 */
final class MigrationsJson {

  private MigrationsJson() {}

  static Map<String, Object> of(MigrationStatus status) {
    List<Map<String, Object>> applied =
        status.applied().stream()
            .map(
                a -> {
                  Map<String, Object> row = new LinkedHashMap<>();
                  row.put("tag", a.tag());
                  row.put("applied_at", Instant.ofEpochMilli(a.appliedAt()).toString());
                  row.put("applied_by", a.appliedBy());
                  return row;
                })
            .toList();
    List<Map<String, Object>> classes =
        status.namespaces().stream().map(MigrationsJson::namespace).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("app", status.app());
    body.put("applied", applied);
    body.put("classes", classes);
    return body;
  }

  private static Map<String, Object> namespace(MigrationPlan.Namespace n) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("class", n.className());
    row.put("namespace", n.key());
    row.put("status", n.status());
    row.put("tag", n.tag());
    Map<String, Object> deleted = new LinkedHashMap<>();
    deleted.put("objects", n.deletedObjects());
    deleted.put("events", n.deletedEvents());
    deleted.put("snapshots", n.deletedSnapshots());
    deleted.put("alarms", n.deletedAlarms());
    row.put("deleted", deleted);
    return row;
  }
}

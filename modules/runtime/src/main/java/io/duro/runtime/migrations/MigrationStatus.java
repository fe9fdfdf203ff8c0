package io.duro.runtime.migrations;

import java.util.List;

/**
 * The migrations of an application as its database records them, for operators ({@code GET
 * /_duro/migrations}).
 *
 * @param app the application's name
 * @param applied the applied migrations, in order
 * @param namespaces the application's namespaces: active classes, and deleted classes with the
 *     progress of the removal of their objects
 */
public record MigrationStatus(
    String app, List<MigrationPlan.Applied> applied, List<MigrationPlan.Namespace> namespaces) {

  /** Copies. */
  public MigrationStatus {
    applied = List.copyOf(applied);
    namespaces = List.copyOf(namespaces);
  }
}

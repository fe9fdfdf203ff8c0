package io.duro.runtime.migrations;

/**
 * The migrations of an application cannot be applied to its database: the manifest skips,
 * reorders or rewrites an applied migration, or names a class the database does not have. The
 * message names the application, the migration's tag and JSON path, and the problem; when it is
 * thrown nothing has been written.
 */
public final class MigrationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param app the application's name
   * @param path the JSON path of the problem, e.g. {@code migrations[2].tag}
   * @param problem what is wrong and how to fix it
   */
  public MigrationException(String app, String path, String problem) {
    super("migrations of application '" + app + "': " + (path.isEmpty() ? "" : path + ": ")
        + problem);
  }
}

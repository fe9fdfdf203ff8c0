package io.duro.runtime.migrations;

/**
 * A {@code duro.json} manifest, or the classes it names, cannot be used. The message names the
 * file, the JSON path of the problem and what to do, e.g. {@code my-app.jar!/duro.json:
 * durable_objects.bindings[1].class_name: class com.x.Room not found in my-app.jar}.
 */
public final class ManifestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String path;

  /**
   * Creates the exception.
   *
   * @param source the manifest's location, e.g. {@code my-app.jar!/duro.json}
   * @param path the JSON path of the problem, e.g. {@code vars.GREETING}; empty for the whole file
   * @param problem what is wrong and how to fix it
   * @param cause the underlying failure, or null
   */
  public ManifestException(String source, String path, String problem, Throwable cause) {
    super(source + ": " + (path.isEmpty() ? "" : path + ": ") + problem, cause);
    this.path = path;
  }

  /**
   * The JSON path of the problem.
   *
   * @return e.g. {@code durable_objects.bindings[1].class_name}, or empty for the whole file
   */
  public String path() {
    return path;
  }
}

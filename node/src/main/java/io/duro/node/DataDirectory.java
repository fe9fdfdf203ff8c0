package io.duro.node;

import com.typesafe.config.Config;
import io.duro.runtime.jdbc.EmbeddedJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the node's data directory before the journal opens it, so that a missing, unwritable or
 * half-deleted directory stops the node with a clear message instead of starting empty.
 *
 * <p>A marker file records that the directory holds a journal; if the marker is there but the
 * database file is gone, the node refuses to start.
 */
final class DataDirectory {

  private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

  static final String DATABASE_FILE = "duro.mv.db";
  static final String MARKER_FILE = "duro-node.json";

  private DataDirectory() {}

  /**
   * Prepares the directory.
   *
   * @param dir the directory
   * @return its absolute, normalized path
   * @throws IllegalStateException naming the problem
   */
  static Path prepare(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new IllegalStateException("The data directory " + abs + " is a file, not a directory");
    }
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create the data directory " + abs + ": " + e, e);
    }
    if (!Files.isWritable(abs) || !Files.isReadable(abs)) {
      throw new IllegalStateException("The data directory " + abs + " is not readable and writable");
    }
    Path db = abs.resolve(DATABASE_FILE);
    if (Files.exists(abs.resolve(MARKER_FILE)) && !Files.exists(db)) {
      throw new IllegalStateException(
          "The data directory "
              + abs
              + " held a journal, but its database file "
              + DATABASE_FILE
              + " is missing; restore it from a backup, or remove "
              + MARKER_FILE
              + " to start with empty storage");
    }
    if (Files.exists(db) && !Files.isReadable(db)) {
      throw new IllegalStateException("The journal file " + db + " is not readable");
    }
    return abs;
  }

  /**
   * Records that the directory holds a journal (after the journal opened successfully).
   *
   * @param abs the directory
   */
  static void markInitialized(Path abs) {
    Path marker = abs.resolve(MARKER_FILE);
    if (Files.exists(marker)) {
      return;
    }
    try {
      Files.writeString(
          marker, "{\"journal\":\"" + DATABASE_FILE + "\",\"created\":\"" + Instant.now() + "\"}\n");
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write " + marker + ": " + e, e);
    }
  }

  /**
   * Opens and closes the embedded H2 journal once before the node starts, so that a corrupt or
   * locked database file is reported at once (the connection pool would retry for 30 s). A file
   * that was not closed cleanly is first recovered by a full scan (see {@link
   * EmbeddedJournal#recoverIfNotClosedCleanly}), which the node logs. Does nothing when the
   * journal is not an H2 file database.
   *
   * @param config the node's configuration
   * @param abs the data directory
   * @throws IllegalStateException naming the file and H2's reason
   */
  static void checkJournalOpens(Config config, Path abs) {
    if (!EmbeddedJournal.isEmbedded(config)) {
      return;
    }
    Config db = config.getConfig(JournalDatabase.DB);
    String url = db.getString("url");
    EmbeddedJournal.recoverIfNotClosedCleanly(config)
        .ifPresent(recovered -> log.warn("{}", recovered));
    try (Connection c =
        DriverManager.getConnection(url, db.getString("user"), db.getString("password"))) {
      c.createStatement().execute("SELECT 1");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the journal " + abs.resolve(DATABASE_FILE) + " cannot be opened: " + e.getMessage()
              + corruptionHint(abs),
          e);
    }
  }

  static String corruptionHint(Path abs) {
    return ". If another node uses "
        + abs
        + ", stop it first; if the data directory is corrupt, restore it from a backup or move"
        + " it away to start with empty storage.";
  }
}

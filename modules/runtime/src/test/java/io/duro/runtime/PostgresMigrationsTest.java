package io.duro.runtime;

import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link MigrationsTest} on the real local PostgreSQL server (deploy/postgres.conf pointed at a
 * fresh database per test, dropped afterwards): rename, delete, transfer, refusals and the lock.
 */
class PostgresMigrationsTest extends MigrationsTest {

  PostgresDatabase db;

  @BeforeEach
  void createDatabase() throws Exception {
    db = PostgresDatabase.create();
  }

  @AfterEach
  void dropDatabase() throws Exception {
    db.close();
  }

  @Override
  String overrides() {
    try {
      return Files.readString(PostgresJournalTest.OVERLAY) + "\n" + db.overrides() + "\n"
          + super.overrides();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

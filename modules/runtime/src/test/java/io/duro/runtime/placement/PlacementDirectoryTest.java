package io.duro.runtime.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.duro.runtime.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The placement directory ({@code duro_placement}) under bursts of new objects, on a real H2 file
 * database and on the local PostgreSQL server: lookups are resolved in batches, and every object
 * still gets exactly one region, the first writer's, as every node sees it.
 */
class PlacementDirectoryTest {

  @TempDir Path dir;

  private static Config config(String region, String url, String user) {
    return ConfigFactory.parseString(
            "duro.region = "
                + region
                + "\npekko-persistence-jdbc.shared-databases.duro.db {\n url = \""
                + url
                + "\"\n user = \""
                + user
                + "\"\n password = \"\"\n}\n")
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve();
  }

  private String h2Url() {
    return "jdbc:h2:file:" + dir.resolve("duro") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
  }

  private static String hex(int i) {
    return String.format("%064x", i);
  }

  @Test
  void aBurstOfNewObjectsIsRecordedOncePerObjectAndReadBackTheSame() throws Exception {
    String url = h2Url();
    int objects = 1_000;
    List<CompletableFuture<String>> regions = new ArrayList<>();
    try (Placement eu = Placement.open(config("eu", url, "duro"))) {
      for (int i = 0; i < objects; i++) {
        regions.add(eu.region("ns", hex(i), i % 2 == 0 ? null : "us").toCompletableFuture());
      }
      for (int i = 0; i < objects; i++) {
        String expected = i % 2 == 0 ? "eu" : "us";
        assertEquals(expected, regions.get(i).get(30, TimeUnit.SECONDS));
      }
    }
    Map<String, String> rows = rows(url, "duro");
    assertEquals(objects, rows.size(), "one row per object");
    // A node that never saw them (an empty cache) reads the same regions, whatever it prefers.
    try (Placement us = Placement.open(config("us", url, "duro"))) {
      for (int i = 0; i < objects; i += 7) {
        String expected = i % 2 == 0 ? "eu" : "us";
        assertEquals(
            expected,
            us.region("ns", hex(i), null).toCompletableFuture().get(30, TimeUnit.SECONDS));
      }
    }
    assertEquals(rows, rows(url, "duro"), "reading wrote nothing");
  }

  @Test
  void twoNodesRacingOnTheSameNewObjectsAgreeOnTheFirstWritersRegion() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      raceOn(db.url(), PostgresDatabase.USER);
    }
  }

  @Test
  void twoNodesRacingOnH2AgreeToo() throws Exception {
    raceOn(h2Url() + ";AUTO_SERVER=FALSE", "duro");
  }

  private void raceOn(String url, String user) throws Exception {
    int objects = 600;
    try (Placement eu = Placement.open(config("eu", url, user));
        Placement us = Placement.open(config("us", url, user))) {
      List<CompletableFuture<String>> fromEu = new ArrayList<>();
      List<CompletableFuture<String>> fromUs = new ArrayList<>();
      for (int i = 0; i < objects; i++) {
        fromEu.add(eu.region("ns", hex(i), null).toCompletableFuture());
        fromUs.add(us.region("ns", hex(i), null).toCompletableFuture());
      }
      CompletableFuture.allOf(fromEu.toArray(CompletableFuture[]::new))
          .get(30, TimeUnit.SECONDS);
      CompletableFuture.allOf(fromUs.toArray(CompletableFuture[]::new))
          .get(30, TimeUnit.SECONDS);
      Set<String> regionsSeen = new HashSet<>();
      Map<String, String> rows = rows(url, user);
      for (int i = 0; i < objects; i++) {
        String a = fromEu.get(i).join();
        String b = fromUs.get(i).join();
        assertEquals(a, b, "both nodes see one region for object " + i);
        String region = a;
        regionsSeen.add(region);
        assertEquals(region, rows.get("ns|" + hex(i)), "the recorded region is the one served");
      }
      assertEquals(objects, rows.size(), "one row per object");
      assertTrue(Set.of("eu", "us").containsAll(regionsSeen), "regions: " + regionsSeen);
    }
  }

  private static Map<String, String> rows(String url, String user) throws Exception {
    Map<String, String> rows = new HashMap<>();
    try (Connection c = DriverManager.getConnection(url, user, "");
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT namespace, object_id, region FROM duro_placement")) {
      while (rs.next()) {
        rows.put(rs.getString(1) + "|" + rs.getString(2).trim(), rs.getString(3));
      }
    }
    return rows;
  }
}

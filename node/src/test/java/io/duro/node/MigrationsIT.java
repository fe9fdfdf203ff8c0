package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrations on the real node jar: two nodes starting together on one PostgreSQL database apply a
 * new tag once; a deletion interrupted by {@code kill -9} resumes on the next start and
 * completes; {@code migrations --dry-run} reports without writing; a skipped tag stops the node
 * with exit code 1 and a message naming it.
 */
@Tag("process")
class MigrationsIT {

  static final String COUNTER = "io.duro.examples.Counter";
  static final String KV = "io.duro.examples.KeyValueStore";

  @TempDir Path temp;

  private Path manifest(String name, String bindings, String migrations) throws Exception {
    return Files.writeString(temp.resolve(name + ".json"), """
        {"name": "shop", "durable_objects": {"bindings": [%s]}, "migrations": [%s]}
        """.formatted(bindings, migrations));
  }

  private static String binding(String name, String className) {
    return "{\"name\": \"" + name + "\", \"class_name\": \"" + className + "\"}";
  }

  private NodeProcess serve(String name, List<String> args) throws Exception {
    int port = NodeProcess.freePort();
    List<String> all = new ArrayList<>(List.of("--port", "" + port));
    all.addAll(args);
    NodeProcess node = NodeProcess.launch(temp, name, port, all);
    try {
      node.awaitHealthy();
    } catch (RuntimeException | Error e) {
      node.close();
      throw e;
    }
    return node;
  }

  @Test
  void twoNodesStartingTogetherOnOnePostgresDatabaseApplyANewTagOnce() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      Path config = db.configFile(temp, "");
      String v1 = "{\"tag\": \"v1\", \"new_classes\": [\"" + COUNTER + "\"]}";
      Path first = manifest("first", binding("counter", COUNTER), v1);
      try (NodeProcess node = serve("before", List.of("--config", config.toString(),
          "--data-dir", temp.resolve("d0").toString(), "--manifest", first.toString()))) {
        for (int i = 1; i <= 3; i++) {
          assertEquals(i, node.http().post("/counter/a/increment").value());
        }
      }
      Path second = manifest("second", binding("counter", COUNTER) + ", " + binding("kv", KV),
          v1 + ", {\"tag\": \"v2\", \"new_classes\": [\"" + KV + "\"]}");
      int[] clusterPorts = {NodeProcess.freePort(), NodeProcess.freePort()};
      List<NodeProcess> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          int port = NodeProcess.freePort();
          nodes.add(NodeProcess.launch(temp, "node" + i, port, List.of("--port", "" + port,
              "--config", config.toString(), "--data-dir", temp.resolve("d" + (i + 1)).toString(),
              "--manifest", second.toString(), "--cluster-port", "" + clusterPorts[i],
              "--seed", "127.0.0.1:" + clusterPorts[0])));
        }
        for (NodeProcess node : nodes) {
          node.awaitHealthy();
        }
        int applied = 0;
        int found = 0;
        for (NodeProcess node : nodes) {
          applied += node.stdout().contains("Migration 'v2' of application 'shop' applied") ? 1 : 0;
          found += node.stdout().contains("all 2 applied already (v1, v2)") ? 1 : 0;
        }
        assertEquals(1, applied, "exactly one node applied v2: " + nodes.get(0).logs()
            + nodes.get(1).logs());
        assertEquals(1, found, "the other found it applied");
        try (Connection c = DriverManager.getConnection(db.url(), PostgresDatabase.USER, "");
            ResultSet rs = c.createStatement().executeQuery(
                "SELECT tag FROM duro_migration WHERE app = 'shop' ORDER BY seq_no")) {
          List<String> tags = new ArrayList<>();
          while (rs.next()) {
            tags.add(rs.getString(1));
          }
          assertEquals(List.of("v1", "v2"), tags);
        }
        for (NodeProcess node : nodes) {
          assertEquals(3, node.http().get("/counter/a").value(), "data from before v2 kept");
          JsonNode status = node.http().get("/_duro/migrations").json();
          assertEquals(2, status.get("applied").size(), status.toString());
        }
        assertEquals(200, nodes.get(1).http().send("PUT", "/kv/k/keys/x", "\"y\"").status());
      } finally {
        nodes.forEach(NodeProcess::close);
      }
    }
  }

  @Test
  void dryRunWritesNothingThenADeletionInterruptedByKillDashNineResumesAndASkippedTagIsRefused()
      throws Exception {
    Path data = temp.resolve("data");
    Path slow = Files.writeString(temp.resolve("slow.conf"),
        "duro.migrations.delete-batch-size = 1\nduro.migrations.delete-pause = 250ms\n");
    String v1 = "{\"tag\": \"v1\", \"new_classes\": [\"" + COUNTER + "\", \"" + KV + "\"]}";
    String v2 = "{\"tag\": \"v2\", \"deleted_classes\": [\"" + COUNTER + "\"]}";
    Path before = manifest("before", binding("counter", COUNTER) + ", " + binding("kv", KV), v1);
    Path after = manifest("after", binding("kv", KV), v1 + ", " + v2);
    List<String> node = List.of("--data-dir", data.toString(), "--config", slow.toString());
    int objects = 30;
    try (NodeProcess n = serve("before", concat(node, "--manifest", before.toString()))) {
      for (int i = 0; i < objects; i++) {
        assertEquals(1, n.http().post("/counter/c" + i + "/increment").value());
      }
      assertEquals(200, n.http().send("PUT", "/kv/k/keys/x", "\"kept\"").status());
      n.stop();
    }

    // Dry run: reports v2, and the database file is not touched.
    Path file = data.resolve(DataDirectory.DATABASE_FILE);
    long size = Files.size(file);
    long modified = Files.getLastModifiedTime(file).toMillis();
    Run dry =
        migrations("--dry-run", "--manifest", after.toString(), "--data-dir", data.toString());
    assertEquals(0, dry.code, dry.err);
    assertTrue(dry.out.contains("Applied: v1"), dry.out);
    assertTrue(dry.out.contains("Would apply v2:"), dry.out);
    assertTrue(dry.out.contains("v2: delete class " + COUNTER), dry.out);
    assertTrue(dry.out.contains("Dry run: nothing was written."), dry.out);
    assertEquals(size, Files.size(file));
    assertEquals(modified, Files.getLastModifiedTime(file).toMillis());
    Run empty = migrations("--dry-run", "--manifest", after.toString(), "--data-dir",
        temp.resolve("nowhere").toString());
    assertEquals(0, empty.code, empty.err);
    assertTrue(empty.out.contains("Would apply v1, v2:"), empty.out);
    assertFalse(Files.exists(temp.resolve("nowhere")), "the dry run created no directory");

    // The deletion starts, is killed midway, and resumes.
    try (NodeProcess n = serve("deleting", concat(node, "--manifest", after.toString()))) {
      awaitDeleted(n, 3, "deleting");
      n.killDashNine();
    }
    JsonNode done;
    try (NodeProcess n = serve("resumed", concat(node, "--manifest", after.toString()))) {
      done = awaitDeleted(n, objects, "deleted");
      assertTrue(n.stdout().contains("Deleting the objects of class " + COUNTER), n.logs());
      assertTrue(n.stdout().contains(": resuming at "), n.logs());
      HttpJson.Answer kept = n.http().get("/kv/k/keys/x");
      assertEquals(200, kept.status(), kept.toString());
      assertTrue(kept.body().contains("kept"), "the other class keeps its objects: " + kept);
      assertEquals(404, n.http().get("/counter/c1").status(), "the class is no longer bound");
      n.stop();
    }
    JsonNode deleted = done.get("deleted");
    assertEquals(objects, deleted.get("objects").asLong(), done.toString());
    assertEquals(objects, deleted.get("events").asLong(), "one increment per object");
    try (Connection c = DriverManager.getConnection(
            "jdbc:h2:file:" + data.resolve("duro") + ";IFEXISTS=TRUE", "duro", "");
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM \"event_journal\""
            + " WHERE \"persistence_id\" LIKE 'io.duro.examples.Counter|%'")) {
      rs.next();
      assertEquals(0, rs.getLong(1), "no event of the deleted class is left");
    }

    // A manifest that skips the applied v2 is refused, by the node and by the dry run.
    Path skipping = manifest("skipping", binding("kv", KV),
        v1 + ", {\"tag\": \"v3\", \"new_classes\": [\"io.duro.examples.Reminder\"]}");
    NodeProcess refused = NodeProcess.launch(temp, "skipping", -1, concat(
        List.of("--port", "0", "--data-dir", data.toString()), "--manifest", skipping.toString()));
    assertEquals(1, refused.awaitExit(Duration.ofSeconds(60)), refused.logs());
    assertTrue(refused.stderr().contains("duro-node: cannot start: migrations of application"
        + " 'shop': migrations: the applied migration 'v2' (number 2 of v1, v2) is missing"),
        refused.logs());
    Run skipped = migrations("--dry-run", "--manifest", skipping.toString(), "--data-dir",
        data.toString());
    assertEquals(1, skipped.code, skipped.out);
    assertTrue(skipped.err.contains("the applied migration 'v2'"), skipped.err);
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  /** Polls GET /_duro/migrations until the Counter class has this status and count. */
  private static JsonNode awaitDeleted(NodeProcess node, long atLeast, String status)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      for (JsonNode c : node.http().get("/_duro/migrations").json().get("classes")) {
        if (c.get("class").asText().equals(COUNTER)) {
          last = c;
          if (c.get("status").asText().equals(status)
              && c.get("deleted").get("objects").asLong() >= atLeast) {
            return c;
          }
        }
      }
      Thread.sleep(100); // the poll interval of an awaited condition
    }
    throw new AssertionError("Class " + COUNTER + " never reached " + status + " with "
        + atLeast + " objects removed; last: " + last + node.logs());
  }

  private record Run(int code, String out, String err) {}

  /** Runs {@code java -jar duro-node.jar migrations args...} as its own process. */
  private Run migrations(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        NodeProcess.jar().toString(), "migrations"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errReader = new Thread(() -> {
      try {
        p.getErrorStream().transferTo(err);
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    });
    errReader.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    errReader.join();
    return new Run(code, out, err.toString(StandardCharsets.UTF_8));
  }
}

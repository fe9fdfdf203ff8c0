package io.duro.runtime;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import io.duro.api.InvalidArgumentException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where objects live: the region each object was placed in at its first call, recorded in the
 * {@code duro_placement} table of the journal database and cached in memory.
 *
 * <p>The first call of an object chooses its region (the location hint, else the region of the
 * calling node) and inserts it; the primary key makes the first writer win, so two nodes racing
 * on a new object read back the same region. Later calls find it in the cache or, once per cold
 * object and node, in the table. The region becomes part of the object's sharding entity ID
 * ({@code <64 hex>@<region>}), and the shard ID starts with it ({@code <region>-<n>}), so the
 * shard allocation strategy can keep the shard on a node of that region.
 */
public final class Placement implements AutoCloseable {

  /** What a region name (and a location hint) must look like. */
  public static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** The cluster role prefix that carries a node's region: {@code region-<name>}. */
  public static final String ROLE_PREFIX = "region-";

  private final String region;
  private final List<String> regions;
  private final int cacheSize;
  private final HikariDataSource dataSource;
  private final ExecutorService executor;
  private final ConcurrentHashMap<String, CompletableFuture<String>> cache =
      new ConcurrentHashMap<>();
  private volatile Supplier<Set<String>> memberRegions = Set::of;

  private Placement(
      String region,
      List<String> regions,
      int cacheSize,
      HikariDataSource dataSource,
      ExecutorService executor) {
    this.region = region;
    this.regions = List.copyOf(regions);
    this.cacheSize = cacheSize;
    this.dataSource = dataSource;
    this.executor = executor;
  }

  /**
   * Reads {@code duro.region} and {@code duro.placement}, opens the directory in the journal's
   * database and creates its table when missing.
   *
   * @param config the node's configuration
   * @return the placement of this node
   * @throws IllegalArgumentException naming a bad setting
   * @throws IllegalStateException when the table cannot be created
   */
  public static Placement open(Config config) {
    String region = config.getString("duro.region");
    requireRegion(region, "duro.region");
    Config c = config.getConfig("duro.placement");
    List<String> regions = c.getStringList("regions");
    for (String r : regions) {
      requireRegion(r, "duro.placement.regions");
    }
    int cacheSize = c.getInt("cache-size");
    int poolSize = c.getInt("pool-size");
    if (cacheSize < 1 || poolSize < 1) {
      throw new IllegalArgumentException(
          "duro.placement.cache-size and pool-size must be at least 1; they are "
              + cacheSize
              + " and "
              + poolSize);
    }
    JdbcPools pool = JdbcPools.open(config, "duro-placement", poolSize);
    HikariDataSource dataSource = pool.dataSource();
    Placement placement =
        new Placement(region, regions, cacheSize, dataSource, pool.executor());
    try {
      pool.createTables(
          "CREATE TABLE IF NOT EXISTS duro_placement ("
              + "namespace VARCHAR(255) NOT NULL, "
              + "object_id CHAR(64) NOT NULL, "
              + "region VARCHAR(63) NOT NULL, "
              + "placed_at BIGINT NOT NULL, "
              + "PRIMARY KEY (namespace, object_id))");
    } catch (SQLException e) {
      placement.close();
      throw new IllegalStateException(
          "Cannot create the placement table duro_placement: " + e.getMessage(), e);
    }
    return placement;
  }

  private static void requireRegion(String value, String setting) {
    if (value == null || !REGION.matcher(value).matches()) {
      throw new IllegalArgumentException(
          setting
              + " needs region names of lowercase letters, digits and '-' (at most 63,"
              + " starting with a letter or digit); got '"
              + value
              + "'");
    }
  }

  /**
   * The region of this node ({@code duro.region}).
   *
   * @return the region
   */
  public String region() {
    return region;
  }

  /** Tells the placement which regions the cluster's members are in (for hint validation). */
  void memberRegions(Supplier<Set<String>> supplier) {
    this.memberRegions = supplier;
  }

  /**
   * The regions a location hint may name: {@code duro.placement.regions} when set, else this
   * node's region and those of the current cluster members.
   *
   * @return the regions, sorted
   */
  public Set<String> knownRegions() {
    Set<String> known = new TreeSet<>(regions);
    if (known.isEmpty()) {
      known.add(region);
      known.addAll(memberRegions.get());
    }
    return known;
  }

  /**
   * Checks a location hint.
   *
   * @param hint the hint, or null for none
   * @return the hint, or null
   * @throws InvalidArgumentException when it is not a region name or names no known region
   */
  public String checkHint(String hint) {
    if (hint == null) {
      return null;
    }
    if (!REGION.matcher(hint).matches()) {
      throw new InvalidArgumentException(
          "The location hint '"
              + hint
              + "' is not a region name (lowercase letters, digits and '-', at most 63)");
    }
    Set<String> known = knownRegions();
    if (!known.contains(hint)) {
      throw new InvalidArgumentException(
          "The location hint '" + hint + "' names no region of this cluster; known: " + known);
    }
    return hint;
  }

  /**
   * The sharding entity ID of an object: its region (recorded at its first call, else chosen now
   * and recorded) and its hex ID. Answered from the cache when the object was seen on this node.
   *
   * @param namespaceKey the object's namespace key
   * @param objectId the object's ID (64 hex digits)
   * @param hint the region for a new object, or null for this node's region
   * @return the entity ID; fails when the database cannot be reached
   */
  public CompletionStage<String> entityId(String namespaceKey, String objectId, String hint) {
    String key = namespaceKey + "|" + objectId;
    CompletableFuture<String> known = cache.get(key);
    if (known != null && !known.isCompletedExceptionally()) {
      return known.thenApply(r -> entityId(objectId, r));
    }
    String preferred = hint == null ? region : hint;
    CompletableFuture<String> lookup = new CompletableFuture<>();
    CompletableFuture<String> raced = cache.putIfAbsent(key, lookup);
    if (raced != null && !raced.isCompletedExceptionally()) {
      return raced.thenApply(r -> entityId(objectId, r));
    }
    if (raced != null) {
      cache.replace(key, raced, lookup);
    }
    evictIfFull();
    CompletableFuture.supplyAsync(() -> recordOrRead(namespaceKey, objectId, preferred), executor)
        .whenComplete(
            (r, error) -> {
              if (error != null) {
                cache.remove(key, lookup);
                lookup.completeExceptionally(error);
              } else {
                lookup.complete(r);
              }
            });
    return lookup.thenApply(r -> entityId(objectId, r));
  }

  /** Keeps the cache bounded: drops arbitrary entries once it holds more than cache-size. */
  private void evictIfFull() {
    if (cache.size() <= cacheSize) {
      return;
    }
    int drop = Math.max(1, cacheSize / 10);
    Iterator<String> it = cache.keySet().iterator();
    while (drop-- > 0 && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** Reads the object's region; inserts {@code preferred} when none is recorded yet. */
  private String recordOrRead(String namespaceKey, String objectId, String preferred) {
    try (Connection c = dataSource.getConnection()) {
      String found = read(c, namespaceKey, objectId);
      if (found != null) {
        return found;
      }
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO duro_placement (namespace, object_id, region, placed_at)"
                  + " VALUES (?, ?, ?, ?)")) {
        insert.setString(1, namespaceKey);
        insert.setString(2, objectId);
        insert.setString(3, preferred);
        insert.setLong(4, System.currentTimeMillis());
        insert.executeUpdate();
        return preferred;
      } catch (SQLException e) {
        // 23505: another node recorded the object first; its region wins.
        if (!"23505".equals(e.getSQLState())) {
          throw e;
        }
        String winner = read(c, namespaceKey, objectId);
        if (winner == null) {
          throw e;
        }
        return winner;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "The placement of object " + objectId + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static String read(Connection c, String namespaceKey, String objectId)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT region FROM duro_placement WHERE namespace = ? AND object_id = ?")) {
      select.setString(1, namespaceKey);
      select.setString(2, objectId);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /**
   * The sharding entity ID of an object placed in a region.
   *
   * @param objectId 64 hex digits
   * @param region the region
   * @return {@code <objectId>@<region>}
   */
  public static String entityId(String objectId, String region) {
    return objectId + "@" + region;
  }

  /**
   * The object ID within an entity ID.
   *
   * @param entityId {@code <objectId>@<region>} (or a bare object ID)
   * @return the object ID
   */
  public static String objectIdOf(String entityId) {
    int at = entityId.indexOf('@');
    return at < 0 ? entityId : entityId.substring(0, at);
  }

  /**
   * The region within an entity or shard ID.
   *
   * @param entityId {@code <objectId>@<region>}
   * @return the region, or null for a bare object ID
   */
  public static String regionOf(String entityId) {
    int at = entityId.indexOf('@');
    return at < 0 ? null : entityId.substring(at + 1);
  }

  /**
   * The shard of an entity: {@code <region>-<n>} with n the object ID's hash modulo the shards
   * per region (a bare object ID gets Pekko's default {@code <n>}).
   *
   * @param entityId the entity ID
   * @param numberOfShards shards per region ({@code pekko.cluster.sharding.number-of-shards})
   * @return the shard ID
   */
  public static String shardId(String entityId, int numberOfShards) {
    String objectId = objectIdOf(entityId);
    String n = String.valueOf(Math.abs(objectId.hashCode() % numberOfShards));
    String region = regionOf(entityId);
    return region == null ? n : region + "-" + n;
  }

  /**
   * The region a shard belongs to.
   *
   * @param shardId a shard ID made by {@link #shardId}
   * @return its region, or null for a shard without one
   */
  public static String regionOfShard(String shardId) {
    int dash = shardId.lastIndexOf('-');
    return dash <= 0 ? null : shardId.substring(0, dash);
  }

  /** Closes the connections and the threads. */
  @Override
  public void close() {
    executor.shutdown();
    dataSource.close();
  }
}

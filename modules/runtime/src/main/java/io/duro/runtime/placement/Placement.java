package io.duro.runtime.placement;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariDataSource;
import io.duro.api.InvalidArgumentException;
import io.duro.runtime.jdbc.JdbcPools;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where objects live: the region each object was placed in at its first call, recorded in the
 * {@code duro_placement} table of the journal database and cached in memory.
 *
 * <p>The first call of an object chooses its region (the location hint, else the region of the
 * calling node) and inserts it; the primary key makes the first writer win, so two nodes racing
 * on a new object read back the same region. Later calls find it in the cache or, once per cold
 * object and node, in the table. The region becomes part of the object's address and so of its
 * sharding entity ID ({@code <64 hex>@<region>}, {@code ObjectAddress}), and the shard ID starts
 * with it ({@code <region>-<n>}), so the shard allocation strategy can keep the shard on a node of
 * that region.
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
  private final int maxDrainers;
  private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
  private final AtomicInteger drainers = new AtomicInteger();
  /** Regions by {@code namespace|objectId}: the cache, and the lookups in progress. */
  private final ConcurrentHashMap<String, CompletableFuture<String>> cache =
      new ConcurrentHashMap<>();
  private volatile Supplier<Set<String>> memberRegions = Set::of;

  private Placement(
      String region,
      List<String> regions,
      int cacheSize,
      HikariDataSource dataSource,
      ExecutorService executor,
      int maxDrainers) {
    this.region = region;
    this.maxDrainers = maxDrainers;
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
        new Placement(region, regions, cacheSize, dataSource, pool.executor(), poolSize);
    try {
      pool.createTables(CREATE_TABLE);
    } catch (SQLException e) {
      placement.close();
      throw new IllegalStateException(
          "Cannot create the placement table duro_placement: " + e.getMessage(), e);
    }
    return placement;
  }

  private static final String CREATE_TABLE =
      "CREATE TABLE IF NOT EXISTS duro_placement ("
          + "namespace VARCHAR(255) NOT NULL, "
          + "object_id CHAR(64) NOT NULL, "
          + "region VARCHAR(63) NOT NULL, "
          + "placed_at BIGINT NOT NULL, "
          + "PRIMARY KEY (namespace, object_id))";

  /**
   * Creates the {@code duro_placement} table when it is missing.
   *
   * @param conn a connection to the journal's database
   * @throws SQLException when the database fails
   */
  public static void createTable(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute(CREATE_TABLE);
    }
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
  public void memberRegions(Supplier<Set<String>> supplier) {
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
   * The region of an object: recorded at its first call, else chosen now and recorded. Answered
   * from the cache when the object was seen on this node.
   *
   * @param namespaceKey the object's namespace key
   * @param objectId the object's ID (64 hex digits)
   * @param hint the region for a new object, or null for this node's region
   * @return the region; fails when the database cannot be reached
   */
  public CompletionStage<String> region(String namespaceKey, String objectId, String hint) {
    String key = namespaceKey + "|" + objectId;
    CompletableFuture<String> known = cache.get(key);
    if (known != null && !known.isCompletedExceptionally()) {
      return known; // the common case: no allocation beyond the key
    }
    String preferred = hint == null ? region : hint;
    CompletableFuture<String> lookup = new CompletableFuture<>();
    CompletableFuture<String> raced = cache.putIfAbsent(key, lookup);
    if (raced != null && !raced.isCompletedExceptionally()) {
      return raced;
    }
    if (raced != null) {
      cache.replace(key, raced, lookup);
    }
    evictIfFull();
    CompletableFuture<String> resolved = new CompletableFuture<>();
    resolved.whenComplete(
        (r, error) -> {
          if (error != null) {
            cache.remove(key, lookup);
            lookup.completeExceptionally(error);
          } else {
            lookup.complete(r);
          }
        });
    pending.add(new Pending(namespaceKey, objectId, preferred, resolved));
    scheduleDrain();
    return lookup;
  }

  /** An object whose region is being read or recorded. */
  private record Pending(
      String namespaceKey, String objectId, String preferred, CompletableFuture<String> result) {
    String key() {
      return namespaceKey + "|" + objectId;
    }
  }

  /** Starts a drain on the pool's threads unless as many as it has connections already run. */
  private void scheduleDrain() {
    int running = drainers.get();
    while (running < maxDrainers) {
      if (drainers.compareAndSet(running, running + 1)) {
        try {
          executor.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
          drainers.decrementAndGet();
          failPending(new IllegalStateException("The placement directory is closed", closed));
        }
        return;
      }
      running = drainers.get();
    }
  }

  /**
   * Resolves the pending objects in batches: the objects that arrive while one batch is in the
   * database go together in the next, so a burst of new objects costs one SELECT and one INSERT
   * transaction per batch rather than per object (group commit, as for the journal).
   */
  private void drain() {
    try {
      List<Pending> batch = new java.util.ArrayList<>();
      while (true) {
        batch.clear();
        Pending p;
        while (batch.size() < MAX_BATCH && (p = pending.poll()) != null) {
          batch.add(p);
        }
        if (batch.isEmpty()) {
          break;
        }
        resolve(batch);
      }
    } finally {
      drainers.decrementAndGet();
      // An object queued after this drain's last poll, while every drainer was busy.
      if (!pending.isEmpty()) {
        scheduleDrain();
      }
    }
  }

  private void failPending(Throwable error) {
    Pending p;
    while ((p = pending.poll()) != null) {
      p.result().completeExceptionally(error);
    }
  }

  private void resolve(List<Pending> batch) {
    Map<String, Pending> byKey = new LinkedHashMap<>();
    for (Pending p : batch) {
      byKey.putIfAbsent(p.key(), p);
    }
    Map<String, String> regions;
    try (Connection c = dataSource.getConnection()) {
      regions = readAll(c, byKey.values());
      List<Pending> missing = new java.util.ArrayList<>();
      for (Pending p : byKey.values()) {
        if (!regions.containsKey(p.key())) {
          missing.add(p);
        }
      }
      if (!missing.isEmpty()) {
        insertAll(c, missing, regions);
      }
    } catch (SQLException | RuntimeException e) {
      String which =
          batch.size() == 1 ? "object " + batch.get(0).objectId() : batch.size() + " objects";
      IllegalStateException error =
          new IllegalStateException(
              "The placement of " + which + " cannot be read: " + e.getMessage(), e);
      batch.forEach(p -> p.result().completeExceptionally(error));
      return;
    }
    for (Pending p : batch) {
      p.result().complete(regions.get(p.key()));
    }
  }

  /** The recorded regions of the objects, by {@code namespace|objectId}; one query. */
  private static Map<String, String> readAll(Connection c, java.util.Collection<Pending> objects)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder(
            "SELECT namespace, object_id, region FROM duro_placement"
                + " WHERE (namespace, object_id) IN (");
    for (int i = 0; i < objects.size(); i++) {
      sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
    }
    sql.append(')');
    Map<String, String> found = new HashMap<>();
    try (PreparedStatement select = c.prepareStatement(sql.toString())) {
      int i = 0;
      for (Pending p : objects) {
        select.setString(++i, p.namespaceKey());
        select.setString(++i, p.objectId());
      }
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          found.put(rs.getString(1) + "|" + rs.getString(2), rs.getString(3));
        }
      }
    }
    return found;
  }

  /**
   * Records the preferred region of each object in one transaction. When another node recorded
   * one of them meanwhile (a duplicate key), the transaction is rolled back and each object is
   * recorded or read on its own, so the first writer's region wins for every object.
   */
  private void insertAll(Connection c, List<Pending> missing, Map<String, String> regions)
      throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      long now = System.currentTimeMillis();
      for (Pending p : missing) {
        insert.setString(1, p.namespaceKey());
        insert.setString(2, p.objectId());
        insert.setString(3, p.preferred());
        insert.setLong(4, now);
        insert.addBatch();
      }
      insert.executeBatch();
      c.commit();
      for (Pending p : missing) {
        regions.put(p.key(), p.preferred());
      }
    } catch (SQLException e) {
      c.rollback();
      if (!isDuplicateKey(e)) {
        throw e;
      }
      c.setAutoCommit(true);
      for (Pending p : missing) {
        regions.put(p.key(), recordOrRead(c, p.namespaceKey(), p.objectId(), p.preferred()));
      }
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static boolean isDuplicateKey(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException next = sql; next != null; next = next.getNextException()) {
          if ("23505".equals(next.getSQLState())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static final String INSERT =
      "INSERT INTO duro_placement (namespace, object_id, region, placed_at) VALUES (?, ?, ?, ?)";

  private static final int MAX_BATCH = 256;

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
  private static String recordOrRead(
      Connection c, String namespaceKey, String objectId, String preferred) throws SQLException {
    String found = read(c, namespaceKey, objectId);
    if (found != null) {
      return found;
    }
    try (PreparedStatement insert = c.prepareStatement(INSERT)) {
      insert.setString(1, namespaceKey);
      insert.setString(2, objectId);
      insert.setString(3, preferred);
      insert.setLong(4, System.currentTimeMillis());
      insert.executeUpdate();
      return preferred;
    } catch (SQLException e) {
      // 23505: another node recorded the object first; its region wins.
      String winner = isDuplicateKey(e) ? read(c, namespaceKey, objectId) : null;
      if (winner == null) {
        throw e;
      }
      return winner;
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
   * The region a shard belongs to.
   *
   * @param shardId a shard ID made by {@link #shardId}
   * @return its region, or null for a shard without one
   */
  public static String regionOfShard(String shardId) {
    int dash = shardId.lastIndexOf('-');
    return dash <= 0 ? null : shardId.substring(0, dash);
  }

  /** Closes the connections and the threads; objects still pending fail. */
  @Override
  public void close() {
    executor.shutdown();
    failPending(new IllegalStateException("The placement directory is closed"));
    dataSource.close();
  }
}

package io.duro.runtime;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The {@code duro.cluster} settings and the seed nodes, read once at start (see {@code
 * reference.conf}).
 *
 * @param seedNodes {@code pekko.cluster.seed-nodes}; empty: the node forms a cluster of its own
 * @param joinTimeout how long the node waits to become an Up member before it gives up
 * @param schemaAttempts how many times the journal schema creation is tried at start
 * @param discovery how the node finds its cluster: {@code seed-nodes} or {@code kubernetes}
 */
public record ClusterSettings(
    List<String> seedNodes, Duration joinTimeout, int schemaAttempts, String discovery) {

  /** {@code duro.cluster.discovery} value: Cluster Bootstrap with Kubernetes API discovery. */
  public static final String KUBERNETES = "kubernetes";

  /** {@code duro.cluster.discovery} value: {@code pekko.cluster.seed-nodes}. */
  public static final String SEED_NODES = "seed-nodes";

  /** Copies the seed list. */
  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
  }

  /**
   * Reads the settings.
   *
   * @param config the whole configuration
   * @return the settings
   * @throws IllegalArgumentException naming a bad value
   */
  public static ClusterSettings from(Config config) {
    Config c = config.getConfig("duro.cluster");
    ClusterSettings s =
        new ClusterSettings(
            config.getStringList("pekko.cluster.seed-nodes"),
            c.getDuration("join-timeout"),
            c.getInt("schema-attempts"),
            c.getString("discovery"));
    if (!s.discovery.equals(SEED_NODES) && !s.discovery.equals(KUBERNETES)) {
      throw new IllegalArgumentException(
          "duro.cluster.discovery must be \"seed-nodes\" or \"kubernetes\"; it is \""
              + s.discovery
              + "\"");
    }
    if (s.bootstrap() && !s.seedNodes.isEmpty()) {
      throw new IllegalArgumentException(
          "duro.cluster.discovery = kubernetes finds the cluster through the Kubernetes API and"
              + " cannot be combined with seed nodes (--seed, pekko.cluster.seed-nodes = "
              + s.seedNodes
              + ")");
    }
    if (s.joinTimeout.isNegative() || s.joinTimeout.isZero()) {
      throw new IllegalArgumentException(
          "duro.cluster.join-timeout must be positive; it is " + s.joinTimeout);
    }
    if (s.schemaAttempts < 1) {
      throw new IllegalArgumentException(
          "duro.cluster.schema-attempts must be at least 1; it is " + s.schemaAttempts);
    }
    return s;
  }

  /**
   * Whether the cluster is formed by Cluster Bootstrap (Kubernetes API discovery).
   *
   * @return true for {@code duro.cluster.discovery = kubernetes}
   */
  public boolean bootstrap() {
    return discovery.equals(KUBERNETES);
  }
}

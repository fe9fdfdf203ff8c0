package io.duro.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a node's configuration: the caller's overlay (command-line flags, {@code --config} file),
 * then JVM system properties ({@code -Dkey=value}), then {@code application.conf}, then Duro's
 * settings for the libraries it uses ({@code duro-server-defaults.conf}, {@code
 * duro-gateway-defaults.conf}, {@code duro-runtime-defaults.conf}), then every {@code
 * reference.conf}.
 *
 * <pre>{@code
 * Config config = DuroConfig.load(ConfigFactory.parseString("duro.data-dir = /var/lib/duro"));
 * }</pre>
 */
public final class DuroConfig {

  private DuroConfig() {}

  /**
   * Loads and resolves the configuration.
   *
   * @param overlay settings that win over everything else (flags, --config file)
   * @return the resolved configuration
   */
  public static Config load(Config overlay) {
    Config config =
        overlay
            .withFallback(ConfigFactory.defaultOverrides())
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(ConfigFactory.parseResources("duro-server-defaults.conf"))
            .withFallback(ConfigFactory.parseResources("duro-gateway-defaults.conf"))
            .withFallback(ConfigFactory.parseResources("duro-runtime-defaults.conf"))
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    return withFirstSeedTimeout(withRegionRole(config));
  }

  /**
   * On the first of several seed nodes, sets {@code pekko.cluster.seed-node-timeout} to {@code
   * duro.cluster.first-seed-timeout}: how long it waits for another seed to answer before it
   * forms a new cluster (on the other nodes the setting only spaces their join attempts, so it
   * stays Pekko's).
   */
  private static Config withFirstSeedTimeout(Config config) {
    List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
    String self =
        "@"
            + config.getString("pekko.remote.artery.canonical.hostname")
            + ":"
            + config.getInt("pekko.remote.artery.canonical.port");
    if (seeds.size() < 2 || !seeds.get(0).endsWith(self)) {
      return config;
    }
    return config.withValue(
        "pekko.cluster.seed-node-timeout",
        config.getValue("duro.cluster.first-seed-timeout"));
  }

  /**
   * Adds the cluster role {@code region-<duro.region>} to {@code pekko.cluster.roles} (replacing
   * another {@code region-} role), through which shard allocation finds the nodes of a region.
   */
  private static Config withRegionRole(Config config) {
    List<String> roles = new ArrayList<>();
    for (String role : config.getStringList("pekko.cluster.roles")) {
      if (!role.startsWith("region-")) {
        roles.add(role);
      }
    }
    roles.add("region-" + config.getString("duro.region"));
    return config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
  }
}

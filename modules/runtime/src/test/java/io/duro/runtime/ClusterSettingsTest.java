package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** duro.cluster.discovery: seed nodes by default, Kubernetes bootstrap on request, not both. */
class ClusterSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString("pekko.cluster.seed-nodes = []"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  @Test
  void discoveryIsSeedNodesByDefault() {
    ClusterSettings s = ClusterSettings.from(config(""));
    assertEquals("seed-nodes", s.discovery());
    assertFalse(s.bootstrap());
  }

  @Test
  void discoveryKubernetesTurnsOnBootstrap() {
    assertTrue(ClusterSettings.from(config("duro.cluster.discovery = kubernetes")).bootstrap());
  }

  @Test
  void anUnknownDiscoveryIsRefusedNamingTheValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClusterSettings.from(config("duro.cluster.discovery = dns")));
    assertEquals(
        "duro.cluster.discovery must be \"seed-nodes\" or \"kubernetes\"; it is \"dns\"",
        e.getMessage());
  }

  @Test
  void kubernetesDiscoveryWithSeedNodesIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ClusterSettings.from(
                    config(
                        "duro.cluster.discovery = kubernetes\n"
                            + "pekko.cluster.seed-nodes = [\"pekko://duro@10.0.0.1:25520\"]")));
    assertTrue(e.getMessage().contains("cannot be combined with seed nodes"), e.getMessage());
  }
}

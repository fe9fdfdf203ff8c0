package io.duro.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DuroConfigTest {

  private static Duration seedNodeTimeout(int port, String seeds) {
    return DuroConfig.load(
            ConfigFactory.parseString(
                "pekko.remote.artery.canonical.port = "
                    + port
                    + "\npekko.cluster.seed-nodes = "
                    + seeds))
        .getDuration("pekko.cluster.seed-node-timeout");
  }

  @Test
  void theFirstOfSeveralSeedsWaitsTheFirstSeedTimeoutForTheOthers() {
    assertEquals(
        Duration.ofSeconds(20),
        seedNodeTimeout(
            25521, "[\"pekko://duro@127.0.0.1:25521\", \"pekko://duro@127.0.0.1:25522\"]"));
  }

  @Test
  void otherNodesAndALoneSeedKeepPekkosSeedNodeTimeout() {
    String two = "[\"pekko://duro@127.0.0.1:25521\", \"pekko://duro@127.0.0.1:25522\"]";
    assertEquals(Duration.ofSeconds(5), seedNodeTimeout(25522, two));
    assertEquals(Duration.ofSeconds(5), seedNodeTimeout(25523, two));
    assertEquals(
        Duration.ofSeconds(5), seedNodeTimeout(25521, "[\"pekko://duro@127.0.0.1:25521\"]"));
  }
}

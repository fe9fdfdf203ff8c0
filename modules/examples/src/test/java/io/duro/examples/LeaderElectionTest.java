package io.duro.examples;

import static io.duro.examples.ExampleAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.duro.testkit.DuroExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Leader election over real HTTP, with the lease lapsing as the test moves the clock. */
class LeaderElectionTest {

  @RegisterExtension
  static DuroExtension duro = DuroExtension.builder().bind("election", LeaderElection.class).build();

  private static String campaign(String group, String candidate, long ttlMs) {
    HttpResponse<String> r =
        duro.send(
            "POST",
            "/election/" + group + "/campaign",
            "{\"candidate\":\"" + candidate + "\",\"ttlMs\":" + ttlMs + "}");
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static String leaderPart(String body) {
    return body.substring(0, body.indexOf(",\"expiresAt\""));
  }

  @Test
  void firstCandidateLeadsTermOneAndOthersWaitInLine() {
    assertEquals("{\"leader\":\"a\",\"term\":1", leaderPart(campaign("g1", "a", 10_000)));
    String b = campaign("g1", "b", 10_000);
    assertEquals("{\"leader\":\"a\",\"term\":1", leaderPart(b));
    assertEquals(true, b.endsWith("\"candidates\":[\"a\",\"b\"],\"elected\":false}"), b);
    String again = campaign("g1", "a", 10_000); // the heartbeat
    assertEquals(true, again.endsWith("\"elected\":true}"), again);
    assertEquals("{\"leader\":\"a\",\"term\":1", leaderPart(again));
  }

  @Test
  void whenTheLeaderStopsRenewingTheNextLiveCandidateLeadsALargerTerm() {
    campaign("g2", "a", 10_000);
    campaign("g2", "b", 10_000);
    campaign("g2", "c", 3_000); // c stops renewing too, and lapses first
    duro.advanceTime(Duration.ofSeconds(6));
    campaign("g2", "b", 10_000); // b keeps renewing; a has crashed
    duro.advanceTime(Duration.ofSeconds(4)); // a's lease lapses: the alarm fails over
    String state = duro.send("GET", "/election/g2", null).body();
    assertEquals("{\"leader\":\"b\",\"term\":2", leaderPart(state));
    assertEquals(true, state.endsWith("\"candidates\":[\"b\"]}"), state);
    String late = campaign("g2", "a", 10_000); // a comes back: it waits behind b
    assertEquals("{\"leader\":\"b\",\"term\":2", leaderPart(late));
    assertError(
        duro.send("POST", "/election/g2/resign", "{\"candidate\":\"a\",\"term\":1}"),
        409,
        "not_leader");
  }

  @Test
  void leadershipSurvivesHibernationAndTheLeaseStillLapses() {
    campaign("g3", "a", 5_000);
    duro.hibernate("election", "g3");
    assertEquals(
        "{\"leader\":\"a\",\"term\":1", leaderPart(duro.send("GET", "/election/g3", null).body()));
    duro.hibernate("election", "g3");
    duro.advanceTime(Duration.ofSeconds(5)); // the alarm wakes the passivated object
    assertEquals(
        "{\"leader\":null,\"term\":1,\"expiresAt\":null,\"candidates\":[]}",
        duro.send("GET", "/election/g3", null).body());
    assertEquals("{\"leader\":\"z\",\"term\":2", leaderPart(campaign("g3", "z", 5_000)));
  }

  @Test
  void resigningHandsOverAtOnceWithANewTerm() {
    campaign("g4", "a", 10_000);
    campaign("g4", "b", 10_000);
    HttpResponse<String> r =
        duro.send("POST", "/election/g4/resign", "{\"candidate\":\"a\",\"term\":1}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("{\"leader\":\"b\",\"term\":2", leaderPart(r.body()));
  }

  @Test
  void badInputIs4xxAndChangesNothing() {
    for (String body :
        new String[] {
          "{\"candidate\":\"\",\"ttlMs\":1000}",
          "{\"candidate\":\"a\",\"ttlMs\":0}",
          "{\"candidate\":\"a\",\"ttlMs\":1.5}",
          "{\"candidate\":\"a\"}",
          "{\"candidate\":7,\"ttlMs\":1000}",
          "[1]",
          "not json"
        }) {
      assertError(duro.send("POST", "/election/g5/campaign", body), 400, "invalid_argument");
    }
    assertError(duro.send("GET", "/election/g5/campaign", null), 405, "method_not_allowed");
    assertError(duro.send("GET", "/election/g5/nope", null), 404, "not_found");
    assertEquals(
        "{\"leader\":null,\"term\":0,\"expiresAt\":null,\"candidates\":[]}",
        duro.send("GET", "/election/g5", null).body());
  }
}

package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.duro.examples.ExampleAssertions.assertError;

import io.duro.testkit.DuroExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rate limiter, lock, cart and session examples over real HTTP. */
class CoordinationExamplesTest {

  @RegisterExtension
  static DuroExtension node =
      DuroExtension.builder()
          .bind("rate-limiter", RateLimiter.class)
          .bind("lock", DistributedLock.class)
          .bind("cart", ShoppingCart.class)
          .bind("session", Session.class)
          .bind("page-views", PageViews.class)
          .bind("pool", ConnectionPool.class)
          .build();

  @Test
  void rateLimiterRefusesBeyondItsCapacityWith429AndRetryAfter() throws Exception {
    assertEquals(
        200,
        node.send("PUT", "/rate-limiter/u1/config", "{\"capacity\":3,\"refillPerSecond\":0.5}")
            .statusCode());
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = node.send("POST", "/rate-limiter/u1/take", null);
      assertEquals(200, r.statusCode(), r.body());
    }
    HttpResponse<String> refused = node.send("POST", "/rate-limiter/u1/take", null);
    assertError(refused, 429, "rate_limited");
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
    assertEquals(200, node.send("POST", "/rate-limiter/u2/take", null).statusCode(), "per user");
    assertError(node.send("POST", "/rate-limiter/u2/take?cost=0", null), 400, "invalid_argument");
    assertError(node.send("POST", "/rate-limiter/u2/take?cost=x", null), 400, "invalid_argument");
    assertError(
        node.send("PUT", "/rate-limiter/u2/config", "{\"capacity\":-1,\"refillPerSecond\":1}"),
        400,
        "invalid_argument");
  }

  @Test
  void lockGrantsOneHolderLapsesThroughItsAlarmAndFencingTokensGrow() throws Exception {
    HttpResponse<String> a = node.send("POST", "/lock/l1/acquire", "{\"owner\":\"a\",\"ttlMs\":600}");
    assertEquals(200, a.statusCode(), a.body());
    assertTrue(a.body().startsWith("{\"token\":1,"), a.body());
    assertError(node.send("POST", "/lock/l1/acquire", "{\"owner\":\"b\",\"ttlMs\":600}"), 409, "locked");
    assertError(
        node.send("POST", "/lock/l1/release", "{\"owner\":\"b\",\"token\":1}"), 409, "not_holder");
    node.advanceTime(Duration.ofMillis(600)); // the lease lapses; the alarm removes it
    assertEquals("{\"lease\":null}", node.send("GET", "/lock/l1", null).body());
    HttpResponse<String> b = node.send("POST", "/lock/l1/acquire", "{\"owner\":\"b\",\"ttlMs\":60000}");
    assertTrue(b.body().startsWith("{\"token\":2,"), b.body());
    assertEquals(
        "{\"released\":true}",
        node.send("POST", "/lock/l1/release", "{\"owner\":\"b\",\"token\":2}").body());
    assertError(node.send("POST", "/lock/l1/acquire", "{\"owner\":\"\",\"ttlMs\":5}"), 400,
        "invalid_argument");
    assertError(node.send("POST", "/lock/l1/acquire", "{\"owner\":\"a\",\"ttlMs\":0}"), 400,
        "invalid_argument");
  }

  @Test
  void cartChangesAreIdempotentByRequestIdAndCheckoutEmptiesIt() throws Exception {
    String add = "{\"requestId\":\"r1\",\"sku\":\"tea\",\"qty\":2}";
    node.send("POST", "/cart/alice/items", add);
    HttpResponse<String> again = node.send("POST", "/cart/alice/items", add);
    assertEquals("{\"items\":{\"tea\":2}}", again.body(), "a retried request changes nothing");
    node.send("POST", "/cart/alice/items", "{\"requestId\":\"r2\",\"sku\":\"milk\",\"qty\":1}");
    HttpResponse<String> order = node.send("POST", "/cart/alice/checkout", "{\"requestId\":\"c1\"}");
    assertEquals("{\"order\":1,\"items\":{\"milk\":1,\"tea\":2}}", order.body());
    assertEquals(order.body(), node.send("POST", "/cart/alice/checkout", "{\"requestId\":\"c1\"}").body());
    assertEquals("{\"items\":{}}", node.send("GET", "/cart/alice", null).body());
    assertError(node.send("POST", "/cart/alice/checkout", "{\"requestId\":\"c2\"}"), 409, "empty_cart");
    assertError(
        node.send("POST", "/cart/alice/items", "{\"requestId\":\"r3\",\"sku\":\"a b\",\"qty\":1}"),
        400,
        "invalid_argument");
    assertError(
        node.send("POST", "/cart/alice/items", "{\"requestId\":\"r4\",\"sku\":\"tea\",\"qty\":0}"),
        400,
        "invalid_argument");
    assertEquals("{\"items\":{}}", node.send("GET", "/cart/alice", null).body(), "nothing written");
  }

  @Test
  void sessionExpiresThroughItsAlarmAfterInactivity() throws Exception {
    HttpResponse<String> started = node.send("PUT", "/session/s1?ttlMs=700", "{\"user\":\"ada\"}");
    assertEquals(200, started.statusCode(), started.body());
    assertTrue(node.send("GET", "/session/s1", null).body().startsWith("{\"data\":{\"user\":\"ada\"}"));
    node.advanceTime(Duration.ofMillis(699));
    assertEquals(200, node.send("GET", "/session/s1", null).statusCode(), "used: extended");
    node.advanceTime(Duration.ofMillis(700));
    assertError(node.send("GET", "/session/s1", null), 404, "no_session");
    assertError(node.send("PUT", "/session/s2?ttlMs=0", "{}"), 400, "invalid_argument");
    assertError(node.send("PUT", "/session/s2", null), 400, "invalid_argument");
    assertError(node.send("GET", "/session/s2", null), 404, "no_session");
  }

  @Test
  void pageViewsKeepExactCountsAndAnswerTopNInOrder()
      throws Exception {
    for (String page : new String[] {"/a", "/b", "/a", "/c", "/a", "/b"}) {
      HttpResponse<String> r = node.send("POST", "/page-views/site/view", "{\"page\":\"" + page + "\"}");
      assertEquals(200, r.statusCode(), r.body());
    }
    assertEquals(
        "{\"top\":[{\"page\":\"/a\",\"views\":3},{\"page\":\"/b\",\"views\":2}]}",
        node.send("GET", "/page-views/site/top?n=2", null).body());
    assertError(node.send("GET", "/page-views/site/top?n=0", null), 400, "invalid_argument");
    assertError(
        node.send("POST", "/page-views/site/view", "{\"page\":\"\"}"), 400, "invalid_argument");
    assertEquals(
        "{\"top\":[{\"page\":\"/a\",\"views\":3},{\"page\":\"/b\",\"views\":2},"
            + "{\"page\":\"/c\",\"views\":1}]}",
        node.send("GET", "/page-views/site/top", null).body());
  }

  @Test
  void poolHandsOutAtMostMaxLeasesQueuesTheRestAndTakesBackExpiredOnes() throws Exception {
    assertEquals(200, node.send("PUT", "/pool/db/config", "{\"max\":2}").statusCode());
    HttpResponse<String> a = node.send("POST", "/pool/db/acquire", "{\"client\":\"a\",\"ttlMs\":60000}");
    assertTrue(a.body().startsWith("{\"lease\":1,"), a.body());
    node.send("POST", "/pool/db/acquire", "{\"client\":\"b\",\"ttlMs\":700}");
    HttpResponse<String> c = node.send("POST", "/pool/db/acquire", "{\"client\":\"c\",\"ttlMs\":60000}");
    assertEquals(202, c.statusCode(), c.body());
    assertEquals("{\"queued\":1,\"client\":\"c\"}", c.body());
    // b does not renew: its lease expires (the alarm takes it back) and c gets one
    node.advanceTime(Duration.ofMillis(700));
    HttpResponse<String> cLease = node.send("GET", "/pool/db/lease?client=c", null);
    assertEquals(200, cLease.statusCode(), cLease.body());
    assertTrue(cLease.body().startsWith("{\"lease\":3,"), cLease.body());
    assertError(node.send("GET", "/pool/db/lease?client=b", null), 404, "no_lease");
    assertEquals(200, node.send("POST", "/pool/db/release", "{\"lease\":1}").statusCode());
    assertError(node.send("POST", "/pool/db/release", "{\"lease\":1}"), 404, "no_lease");
    assertError(node.send("POST", "/pool/db/acquire", "{\"client\":\"\"}"), 400, "invalid_argument");
    assertError(node.send("PUT", "/pool/db/config", "{\"max\":0}"), 400, "invalid_argument");
  }
}

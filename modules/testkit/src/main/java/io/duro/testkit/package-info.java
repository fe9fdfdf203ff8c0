/**
 * Test Durable Objects with JUnit 5: {@link io.duro.testkit.DuroExtension} runs object classes on a
 * real Duro (runtime, HTTP gateway, H2 journal in a temporary directory; one node or a cluster in
 * the test's JVM) with a clock the test moves, so alarms fire deterministically; it simulates
 * hibernation and opens test WebSockets. {@link io.duro.testkit.TestNode} is one node whose
 * lifecycle the test manages. No Pekko type is part of this API.
 *
 * <pre>{@code
 * @RegisterExtension
 * static DuroExtension duro = DuroExtension.builder().bind("counter", Counter.class).build();
 *
 * @Test
 * void counts() {
 *   assertEquals("{\"value\":1}", duro.send("POST", "/counter/a/increment", null).body());
 *   duro.advanceTime(Duration.ofMinutes(1));
 *   duro.hibernate("counter", "a");
 * }
 * }</pre>
 */
package io.duro.testkit;

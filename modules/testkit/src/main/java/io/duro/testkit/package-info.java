/**
 * Run Durable Objects in tests: a real one-node Duro (runtime, HTTP gateway, H2 file journal) in
 * the test's JVM.
 *
 * <pre>{@code
 * try (TestNode node = TestNode.start(tempDir, Map.of("counter", Counter.class))) {
 *   Response r = node.namespace("counter").getByName("a")
 *       .fetch(Request.post("/increment", "")).toCompletableFuture().join();
 * }
 * }</pre>
 */
package io.duro.testkit;

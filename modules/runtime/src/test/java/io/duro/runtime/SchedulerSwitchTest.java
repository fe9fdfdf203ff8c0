package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import io.duro.runtime.scheduler.HeapScheduler;
import io.duro.runtime.scheduler.NodeScheduler;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.LightArrayRevolverScheduler;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A node's timers on the scheduler {@code duro.runtime.forks.heap-scheduler} chooses (Duro's
 * {@link HeapScheduler}, or Pekko's own): an alarm fires at its time, not before, and an idle
 * object is passivated and recreated with its storage.
 */
class SchedulerSwitchTest {

  @TempDir Path dataDir;

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void alarmsFireAndIdleObjectsPassivateOnEitherScheduler(boolean heapScheduler)
      throws Exception {
    String settings =
        """
        duro.runtime.forks.heap-scheduler = %s
        duro.runtime.idle-timeout = 300ms
        duro.runtime.alarms.poll-interval = 200ms
        duro.runtime.alarms.lookahead = 300ms
        """
            .formatted(heapScheduler);
    Application app = Application.of(ObjectBinding.of("alarmed", TestObjects.Alarmed.class));
    try (RuntimeFixture node = RuntimeFixture.start(dataDir, settings, app)) {
      NodeScheduler scheduler = (NodeScheduler) node.system.classicSystem().scheduler();
      assertSame(
          heapScheduler ? HeapScheduler.class : LightArrayRevolverScheduler.class,
          scheduler.chosen().getClass());
      Stub stub = node.runtime.namespace("alarmed").getByName("timed");

      long at = Long.parseLong(call(stub, Request.post("/set?in=500", "")).text());
      List<Map<String, Object>> fired = fired(stub);
      for (int polls = 0; fired.isEmpty() && polls < 200; polls++) {
        Thread.sleep(50);
        fired = fired(stub);
      }
      assertEquals(1, fired.size(), "the alarm fired once: " + fired);
      assertEquals(at, ((Number) fired.get(0).get("scheduled")).longValue());
      assertTrue(((Number) fired.get(0).get("firedAt")).longValue() >= at, "not before its time");

      int constructed = TestObjects.constructed(stub.id().toString());
      Thread.sleep(1500); // idle for five idle timeouts: passivated
      assertEquals(1, fired(stub).size(), "its storage, from the journal");
      assertEquals(constructed + 1, TestObjects.constructed(stub.id().toString()), "recreated");
    }
  }

  private static Response call(Stub stub, Request request) throws Exception {
    return stub.fetch(request).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> fired(Stub stub) throws Exception {
    return call(stub, Request.get("/fired")).json(List.class);
  }
}

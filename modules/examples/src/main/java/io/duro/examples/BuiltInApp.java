package io.duro.examples;

import io.duro.api.DurableObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The classes of the node's built-in application, by binding name.
 *
 * <pre>{@code
 * BuiltInApp.bindings().get("counter");   // Counter.class
 * }</pre>
 */
public final class BuiltInApp {

  private BuiltInApp() {}

  /**
   * The built-in bindings.
   *
   * @return binding name → class, in a stable order
   */
  public static Map<String, Class<? extends DurableObject>> bindings() {
    Map<String, Class<? extends DurableObject>> bindings = new LinkedHashMap<>();
    bindings.put("counter", Counter.class);
    bindings.put("kv", KeyValueStore.class);
    bindings.put("reminder", Reminder.class);
    bindings.put("rate-limiter", RateLimiter.class);
    bindings.put("lock", DistributedLock.class);
    bindings.put("election", LeaderElection.class);
    bindings.put("queue", JobQueue.class);
    bindings.put("cart", ShoppingCart.class);
    bindings.put("session", Session.class);
    bindings.put("page-views", PageViews.class);
    bindings.put("pool", ConnectionPool.class);
    bindings.put("chat", ChatRoom.class);
    bindings.put("notify", Notifications.class);
    bindings.put("doc", CollabDoc.class);
    bindings.put("cursors", Cursors.class);
    bindings.put("game", GameRoom.class);
    return bindings;
  }
}

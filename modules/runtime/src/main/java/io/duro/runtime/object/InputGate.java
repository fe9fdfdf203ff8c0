package io.duro.runtime.object;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The input gate of one object: decides whether an event (a request, a socket event) runs now,
 * waits, or is refused because the object is overloaded.
 *
 * <p>Events wait, in arrival order, while the object is not ready to run them (starting,
 * resetting, a reset pending) or while it is locked by {@code blockConcurrencyWhile} — the lock
 * nests. The bound counts what waits here plus what the object is busy with (running requests
 * and held outputs); at the bound a new event is refused rather than queued, so a slow object
 * answers 503 instead of growing without limit. Waiting events outlive a reset: the object's next
 * incarnation runs them. Plain Java, confined to the object's actor thread.
 *
 * @param <E> the events
 */
final class InputGate<E> {

  private final ArrayDeque<E> waiting = new ArrayDeque<>();
  private final int limit;
  private int locks;

  /**
   * Creates a gate.
   *
   * @param limit events waiting or in progress at which new ones are refused
   */
  InputGate(int limit) {
    this.limit = limit;
  }

  /**
   * What the object has to do: waiting events plus {@code busy}.
   *
   * @param busy events in progress and outputs held
   * @return the load
   */
  int load(int busy) {
    return waiting.size() + busy;
  }

  /**
   * Whether a new event must be refused.
   *
   * @param busy events in progress and outputs held
   * @return true at the bound
   */
  boolean overloaded(int busy) {
    return load(busy) >= limit;
  }

  /**
   * The bound.
   *
   * @return events waiting or in progress at which new ones are refused
   */
  int limit() {
    return limit;
  }

  /**
   * Lets an event in: it runs now if the object is ready and unlocked, otherwise it waits.
   *
   * @param event the event
   * @param ready whether the object can run events now
   * @return true when the caller runs it now
   */
  boolean enter(E event, boolean ready) {
    if (ready && locks == 0) {
      return true;
    }
    waiting.addLast(event);
    return false;
  }

  /**
   * The next waiting event that may run now.
   *
   * @param ready whether the object can run events now
   * @return the event, or null when none may run
   */
  E next(boolean ready) {
    return ready && locks == 0 ? waiting.pollFirst() : null;
  }

  /**
   * Puts an event back at the head, e.g. when the instance created to run it locked the gate.
   *
   * @param event the event
   */
  void putBack(E event) {
    waiting.addFirst(event);
  }

  /** Locks the gate ({@code blockConcurrencyWhile}); locks nest. */
  void lock() {
    locks++;
  }

  /** Releases one lock. */
  void unlock() {
    locks--;
  }

  /**
   * Whether the gate is locked.
   *
   * @return true inside {@code blockConcurrencyWhile}
   */
  boolean locked() {
    return locks > 0;
  }

  /** Drops every lock: the incarnation that held them was reset. */
  void unlockAll() {
    locks = 0;
  }

  /**
   * Removes every waiting event, e.g. to refuse them.
   *
   * @return the events, in arrival order
   */
  List<E> drain() {
    List<E> all = new ArrayList<>(waiting);
    waiting.clear();
    return all;
  }

  /**
   * Whether nothing waits.
   *
   * @return true when empty
   */
  boolean isEmpty() {
    return waiting.isEmpty();
  }
}

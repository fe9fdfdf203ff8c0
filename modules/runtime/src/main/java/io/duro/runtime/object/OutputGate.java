package io.duro.runtime.object;

import io.duro.api.DuroException;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The output gate of one object incarnation: a response, a socket send or an outgoing call made
 * by a turn leaves only once the confirmed writes of that turn and of every earlier turn are
 * durable.
 *
 * <p>Turns that wrote are numbered by {@link GroupCommit}; a turn whose writes must be confirmed
 * (the default; {@code allowUnconfirmed} opts out) raises the number outputs wait for. An output
 * sent while that number is not yet durable is held, in order, and released by {@link #durable}.
 * When the object is reset instead, {@link #broken} hands each held output its failure: nothing
 * held is ever sent. Shaped after workerd's output gate ({@code lockWhile}, {@code wait}, {@code
 * onBroken}): plain Java, confined to the object's actor thread.
 */
final class OutputGate {

  private record Held(long required, Runnable send, Consumer<DuroException> onBroken) {}

  private static final Consumer<DuroException> DROP = reason -> {};

  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private long required;
  private long durableUpTo;

  /**
   * Records that turn {@code turn} made writes that outputs must wait for.
   *
   * @param turn the turn's number
   */
  void lockUntil(long turn) {
    required = turn;
  }

  /**
   * Sends {@code send} now if every confirmed write so far is durable, else holds it.
   *
   * @param send the output
   * @param onBroken called instead of {@code send} if the gate breaks first
   */
  void send(Runnable send, Consumer<DuroException> onBroken) {
    if (required <= durableUpTo) {
      send.run();
    } else {
      held.addLast(new Held(required, send, onBroken));
    }
  }

  /**
   * Runs {@code then} once turn {@code turn}'s writes are durable (at once if they are). If the
   * gate breaks first it is dropped: it belongs to the discarded incarnation.
   *
   * @param turn the turn's number
   * @param then what to run
   */
  void wait(long turn, Runnable then) {
    if (turn <= durableUpTo) {
      then.run();
    } else {
      held.addLast(new Held(turn, then, DROP));
    }
  }

  /**
   * The journal made every turn up to {@code upTo} durable: releases what waited for them.
   *
   * @param upTo the newest durable turn
   */
  void durable(long upTo) {
    durableUpTo = upTo;
    while (!held.isEmpty() && held.peekFirst().required() <= durableUpTo) {
      held.pollFirst().send().run();
    }
  }

  /**
   * A write failed or the object is reset: every held output gets {@code reason} instead.
   *
   * @param reason the failure
   */
  void broken(DuroException reason) {
    Held h;
    while ((h = held.pollFirst()) != null) {
      h.onBroken().accept(reason);
    }
  }

  /**
   * Outputs held now.
   *
   * @return their number
   */
  int heldCount() {
    return held.size();
  }
}

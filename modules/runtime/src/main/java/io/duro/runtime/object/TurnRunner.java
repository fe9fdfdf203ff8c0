package io.duro.runtime.object;

import io.duro.api.DuroException;
import io.duro.api.ObjectResetException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs the user code of one object incarnation in turns: one thread at a time, the continuations
 * a turn schedules run before it ends, and the outputs it makes are collected for the output gate.
 *
 * <p>A turn is marked by the thread that runs it; the storage facade and the state refuse calls
 * from any other thread. {@link #onTurn} binds a completion (a stub call's answer, a timer) to this
 * incarnation: called on its turn it runs as a continuation of that turn, called elsewhere it goes
 * to the actor's mailbox, which runs it as a turn of its own unless the incarnation was discarded
 * since. A turn that fails or aborts records a reset; the owner rolls the turn back and fails its
 * outputs. Plain Java: the mailbox is a function, so it runs without an actor in tests.
 */
final class TurnRunner implements ObjectTurns {

  private record Output(Runnable send, Consumer<DuroException> onReset) {}

  private final Consumer<Runnable> mailbox;
  private final ArrayDeque<Runnable> continuations = new ArrayDeque<>();
  private final ArrayList<Output> outputs = new ArrayList<>();
  private Thread thread;
  private boolean discarded;
  private ObjectResetException resetRequested;
  private boolean failWaitingOnReset;

  /**
   * Creates the runner of one incarnation.
   *
   * @param mailbox runs an action later as a turn of this incarnation (the actor's mailbox)
   */
  TurnRunner(Consumer<Runnable> mailbox) {
    this.mailbox = mailbox;
  }

  /**
   * Runs {@code body} as a turn, then every continuation it scheduled.
   *
   * @param body the user code
   */
  void run(Runnable body) {
    Thread previous = thread;
    thread = Thread.currentThread();
    try {
      body.run();
      Runnable next;
      while ((next = continuations.pollFirst()) != null) {
        next.run();
      }
    } finally {
      thread = previous;
    }
  }

  /**
   * Reads on the turn's thread outside user code (the runtime reading the storage).
   *
   * @param read the read
   * @param <T> its result
   * @return the result
   */
  <T> T read(Supplier<T> read) {
    Thread previous = thread;
    thread = Thread.currentThread();
    try {
      return read.get();
    } finally {
      thread = previous;
    }
  }

  @Override
  public boolean inTurn() {
    return Thread.currentThread() == thread;
  }

  @Override
  public void emit(Runnable send, Consumer<DuroException> onReset) {
    outputs.add(new Output(send, onReset));
  }

  @Override
  public Runnable onTurn(Runnable action) {
    return () -> {
      if (inTurn()) {
        if (!discarded) {
          continuations.addLast(action);
        }
      } else {
        mailbox.accept(action);
      }
    };
  }

  /**
   * Sends the outputs of the turn that just ended through {@code gate}.
   *
   * @param gate the output gate
   */
  void releaseOutputs(OutputGate gate) {
    for (Output output : outputs) {
      gate.send(output.send(), output.onReset());
    }
    outputs.clear();
  }

  /**
   * Fails the outputs of the turn that just ended: they never leave.
   *
   * @param reason what they get instead
   */
  void failOutputs(DuroException reason) {
    for (Output output : outputs) {
      output.onReset().accept(reason);
    }
    outputs.clear();
  }

  /**
   * Asks for a reset once the turn ends (the first request wins).
   *
   * @param reason why
   * @param failWaiting whether events waiting for the object fail too (it cannot initialize)
   */
  void requestReset(ObjectResetException reason, boolean failWaiting) {
    if (resetRequested == null) {
      resetRequested = reason;
      failWaitingOnReset = failWaiting;
    }
  }

  /**
   * The reset asked for, if any.
   *
   * @return the reason, or null
   */
  ObjectResetException resetRequested() {
    return resetRequested;
  }

  /**
   * Whether the reset asked for fails the waiting events too.
   *
   * @return true when the object cannot initialize
   */
  boolean failWaitingOnReset() {
    return failWaitingOnReset;
  }

  /** The incarnation is discarded: nothing more runs on its behalf. */
  void discard() {
    discarded = true;
    continuations.clear();
    outputs.clear();
  }

  /**
   * Whether the incarnation was discarded.
   *
   * @return true after {@link #discard}
   */
  boolean discarded() {
    return discarded;
  }
}

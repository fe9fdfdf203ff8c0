package io.duro.runtime.object;

import io.duro.api.DuroException;
import java.util.function.Consumer;

/**
 * What runtime services (stubs, storage sync) need from the object whose code calls them: whether
 * they run on its turn, a way to send an output through its output gate, and a way to complete a
 * stage on its turn.
 */
public interface ObjectTurns {

  /**
   * Whether the calling thread is running a turn of this object now.
   *
   * @return true inside a turn
   */
  boolean inTurn();

  /**
   * Sends an output once the writes of every turn so far are durable.
   *
   * @param send the output
   * @param onReset called instead when the object is reset before that
   */
  void emit(Runnable send, Consumer<DuroException> onReset);

  /**
   * Wraps {@code action} so that, called later from any thread, it runs as a turn of this object
   * (at once when already on one) — unless the object was reset after this call, in which case it
   * is dropped.
   *
   * @param action the code, e.g. completing a stage handed to user code
   * @return the wrapped action
   */
  Runnable onTurn(Runnable action);
}

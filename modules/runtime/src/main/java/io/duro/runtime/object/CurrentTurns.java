package io.duro.runtime.object;

import io.duro.api.DuroException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The turns of whichever incarnation of an object is current: what outlives an incarnation (the
 * object's connections) uses it, so its outputs and completions go to the live one.
 */
final class CurrentTurns implements ObjectTurns {

  private final Supplier<Incarnation> current;

  CurrentTurns(Supplier<Incarnation> current) {
    this.current = current;
  }

  @Override
  public boolean inTurn() {
    Incarnation inc = current.get();
    return inc != null && inc.turns().inTurn();
  }

  @Override
  public void emit(Runnable send, Consumer<DuroException> onReset) {
    current.get().turns().emit(send, onReset);
  }

  @Override
  public Runnable onTurn(Runnable action) {
    return current.get().turns().onTurn(action);
  }
}

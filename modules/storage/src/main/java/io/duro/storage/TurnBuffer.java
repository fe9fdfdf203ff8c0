package io.duro.storage;

import java.util.HashMap;
import java.util.HashSet;

/** The turn's net writes so far; a {@code deleteAll} starts a new, cleared buffer. */
final class TurnBuffer {
  final boolean cleared;
  final HashMap<String, byte[]> puts = new HashMap<>();
  final HashSet<String> deletes = new HashSet<>();
  boolean alarmChanged;
  Long alarm;
  boolean confirmed;

  TurnBuffer(boolean cleared, boolean confirmed) {
    this.cleared = cleared;
    this.alarmChanged = cleared;
    this.confirmed = confirmed;
  }

  WriteBatch toBatch() {
    if (!cleared && puts.isEmpty() && deletes.isEmpty() && !alarmChanged) {
      return WriteBatch.EMPTY;
    }
    return new WriteBatch(cleared, puts, deletes, alarmChanged, alarm, confirmed);
  }
}

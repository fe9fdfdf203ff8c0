package io.duro.api;

/**
 * The storage view inside {@link Storage#transaction}: every operation of {@link Storage}, plus
 * {@link #rollback()}.
 *
 * <pre>{@code
 * storage.transaction(txn -> {
 *   long from = txn.get("alice", Long.class).orElse(0L);
 *   if (from < amount) {
 *     txn.rollback();
 *     return false;
 *   }
 *   txn.put("alice", from - amount);
 *   txn.put("bob", txn.get("bob", Long.class).orElse(0L) + amount);
 *   return true;
 * });
 * }</pre>
 */
public interface Transaction extends Storage {

  /**
   * Discards every write made in this transaction so far; later writes in the closure are
   * discarded too. {@link Storage#transaction} still returns what the closure returns.
   */
  void rollback();
}

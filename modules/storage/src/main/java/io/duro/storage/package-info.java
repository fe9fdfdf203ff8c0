/**
 * The per-object storage engine: an in-memory sorted map in UTF-8 byte order, the turn's write
 * buffer, transactions with savepoints, limits and the value codec.
 *
 * <p>Layers as in workerd: {@link io.duro.storage.ObjectStorage} (the facade user code sees)
 * validates and serializes; {@link io.duro.storage.StoredEntries} only sees {@code String ->
 * byte[]}; the runtime's journal only sees {@link io.duro.storage.WriteBatch}. Nothing here is
 * thread-safe or uses threads: every instance is confined to one object (one actor).
 */
package io.duro.storage;

package io.duro.runtime.internal;

/**
 * Marks the messages, events and snapshots that cross the wire or reach the journal; bound to
 * Pekko's {@code jackson-cbor} serializer in {@code reference.conf}.
 */
public interface CborSerializable {}

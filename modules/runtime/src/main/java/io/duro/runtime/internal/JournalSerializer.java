package io.duro.runtime.internal;

import io.duro.runtime.internal.Events.StorageSnapshot;
import io.duro.runtime.internal.Events.TurnsCommitted;
import io.duro.storage.WriteBatch;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The journal's events and snapshots in Duro's own binary images: {@link TurnsCommitted} as {@link
 * WriteBatch#toBytes()}, {@link StorageSnapshot} as its image unchanged.
 *
 * <p>Waking an object deserializes every event since its last snapshot; with Jackson CBOR that was
 * the largest single cost of a wake after H2 itself (docs/benchmarks.md, "Wakes on a slower
 * machine"). The binding of each class to this serializer, more specific than {@link
 * CborSerializable}'s, decides how new rows are written. Rows written before keep Jackson's
 * serializer ID and manifest and are still read by Jackson, which refuses a class bound to another
 * serializer unless {@code pekko.serialization.jackson.allowed-class-prefix} names it (it does, in
 * duro-runtime-defaults.conf).
 */
public final class JournalSerializer extends SerializerWithStringManifest {

  /** This serializer's ID in the journal's rows; never change it. */
  public static final int IDENTIFIER = 7_311_001;

  static final String TURNS_COMMITTED = "T1";
  static final String STORAGE_SNAPSHOT = "S1";

  /**
   * Created by Pekko from {@code pekko.actor.serializers}.
   *
   * @param system the actor system (unused)
   */
  public JournalSerializer(ExtendedActorSystem system) {}

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof TurnsCommitted) {
      return TURNS_COMMITTED;
    }
    if (o instanceof StorageSnapshot) {
      return STORAGE_SNAPSHOT;
    }
    throw new IllegalArgumentException("JournalSerializer cannot serialize " + o.getClass());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof TurnsCommitted t) {
      return t.batch().toBytes();
    }
    if (o instanceof StorageSnapshot s) {
      return s.image();
    }
    throw new IllegalArgumentException("JournalSerializer cannot serialize " + o.getClass());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return switch (manifest) {
      case TURNS_COMMITTED -> new TurnsCommitted(WriteBatch.fromBytes(bytes));
      case STORAGE_SNAPSHOT -> new StorageSnapshot(bytes);
      default -> throw new NotSerializableException(
          "JournalSerializer does not know the manifest \"" + manifest + "\"");
    };
  }
}

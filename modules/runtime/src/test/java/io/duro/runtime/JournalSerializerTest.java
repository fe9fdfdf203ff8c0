package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.runtime.internal.CborSerializable;
import io.duro.runtime.internal.Events.StorageSnapshot;
import io.duro.runtime.internal.Events.TurnsCommitted;
import io.duro.runtime.internal.JournalSerializer;
import io.duro.storage.StoredEntries;
import io.duro.storage.WriteBatch;
import java.io.NotSerializableException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's configuration writes the journal's events and snapshots with {@link
 * JournalSerializer}, and still reads what Jackson wrote before it. RecoveryTest recovers an object
 * from such a journal.
 */
class JournalSerializerTest {

  @TempDir Path dataDir;
  private ActorSystem<Void> system;
  private Serialization serialization;

  @BeforeEach
  void start() {
    system = ActorSystem.create(Behaviors.empty(), "ser", RuntimeFixture.config(dataDir, ""));
    serialization = SerializationExtension.get(system);
  }

  @AfterEach
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static TurnsCommitted event() {
    return new TurnsCommitted(
        new WriteBatch(false, Map.of("count", new byte[] {1, 42}), Set.of("old"), true, 99L, true));
  }

  @Test
  void eventsAndSnapshotsAreWrittenAsBinaryImagesAndReadBack() throws Exception {
    TurnsCommitted event = event();
    Serializer forEvent = serialization.findSerializerFor(event);
    assertInstanceOf(JournalSerializer.class, forEvent);
    byte[] bytes = serialization.serialize(event).get();
    assertArrayEquals(event.batch().toBytes(), bytes);
    String manifest = ((SerializerWithStringManifest) forEvent).manifest(event);
    assertEquals("T1", manifest);
    assertEquals(
        event, serialization.deserialize(bytes, JournalSerializer.IDENTIFIER, manifest).get());

    StoredEntries entries = StoredEntries.empty();
    entries.apply(event.batch());
    StorageSnapshot snapshot = new StorageSnapshot(entries.toBytes());
    assertInstanceOf(JournalSerializer.class, serialization.findSerializerFor(snapshot));
    Object back =
        serialization.deserialize(snapshot.image(), JournalSerializer.IDENTIFIER, "S1").get();
    assertArrayEquals(snapshot.image(), ((StorageSnapshot) back).image());
  }

  @Test
  void rowsWrittenByJacksonAreStillRead() throws Exception {
    TurnsCommitted event = event();
    JacksonCborSerializer jackson =
        (JacksonCborSerializer) serialization.serializerFor(CborSerializable.class);
    byte[] old = jackson.toBinary(event);
    String manifest = jackson.manifest(event);
    assertEquals(TurnsCommitted.class.getName(), manifest);
    assertTrue(
        old.length > event.batch().toBytes().length,
        "Jackson's " + old.length + " bytes against the image's " + event.batch().toBytes().length);
    assertEquals(event, serialization.deserialize(old, jackson.identifier(), manifest).get());
  }

  @Test
  void anUnknownManifestIsRefused() {
    JournalSerializer serializer =
        (JournalSerializer)
            serialization.serializerByIdentity().apply(JournalSerializer.IDENTIFIER);
    NotSerializableException e =
        assertThrows(
            NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "X9"));
    assertTrue(e.getMessage().contains("X9"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> serializer.fromBinary(new byte[] {7}, "T1"));
  }
}

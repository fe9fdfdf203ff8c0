package io.duro.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.duro.api.Request;
import io.duro.runtime.placement.ObjectAddress;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request crosses nodes with its object's address; during a rolling upgrade it also crosses
 * between this version and the previous one, which sent only the object's name ({@code
 * objectName}): both directions keep the name.
 */
class DeliverWireTest {

  /** The request as the previous version wrote it. */
  record PreviousDeliver(WireRequest.Req request, String objectName, ActorRef<ObjectReply> replyTo)
      implements CborSerializable {}

  private ActorTestKit kit;
  private Serialization serialization;
  private ActorRef<ObjectReply> replyTo;

  @BeforeEach
  void start() {
    // The node's serialization bindings (jackson-cbor for the runtime's messages).
    kit =
        ActorTestKit.create(
            "wire",
            ConfigFactory.load(ConfigFactory.parseResources("duro-runtime-defaults.conf")));
    serialization = SerializationExtension.get(kit.system());
    replyTo = kit.<ObjectReply>createTestProbe().getRef();
  }

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  private static WireRequest.Req request() {
    return WireRequest.Req.of(Request.post("/increment", "1"));
  }

  /** Serializes {@code message}, then reads the bytes as {@code as} would be read. */
  private Object crossWire(Object message, Class<?> as) {
    Serializer serializer = serialization.findSerializerFor(message);
    String manifest = ((SerializerWithStringManifest) serializer).manifest(message);
    byte[] bytes = serialization.serialize(message).get();
    String read = manifest.replace(message.getClass().getName(), as.getName());
    return serialization.deserialize(bytes, serializer.identifier(), read).get();
  }

  @Test
  void deliver_crossingNodes_keepsItsAddressAndReplyTo() {
    ObjectAddress address = new ObjectAddress("ns", "ab".repeat(32), "alice", "eu");
    ObjectCommand.Deliver sent = new ObjectCommand.Deliver(request(), address, replyTo);
    ObjectCommand.Deliver read =
        (ObjectCommand.Deliver) crossWire(sent, ObjectCommand.Deliver.class);
    assertEquals(address, read.address());
    assertEquals(replyTo, read.replyTo());
    assertEquals("/increment", read.request().toRequest().path());
  }

  @Test
  void deliver_fromThePreviousVersion_carriesTheObjectsName() {
    PreviousDeliver sent = new PreviousDeliver(request(), "alice", replyTo);
    ObjectCommand.Deliver read =
        (ObjectCommand.Deliver) crossWire(sent, ObjectCommand.Deliver.class);
    assertEquals("alice", read.objectName());
    assertEquals(replyTo, read.replyTo());
  }

  @Test
  void deliver_toThePreviousVersion_carriesTheObjectsName() {
    ObjectAddress address = new ObjectAddress("ns", "ab".repeat(32), "alice", null);
    PreviousDeliver read =
        (PreviousDeliver)
            crossWire(new ObjectCommand.Deliver(request(), address, replyTo), PreviousDeliver.class);
    assertEquals("alice", read.objectName());
    assertEquals(replyTo, read.replyTo());
  }

  @Test
  void deliver_ofAnUnnamedObject_fromThePreviousVersion_hasNoAddress() {
    ObjectCommand.Deliver read =
        (ObjectCommand.Deliver)
            crossWire(new PreviousDeliver(request(), null, replyTo), ObjectCommand.Deliver.class);
    assertNull(read.address());
    assertNull(read.objectName());
  }
}

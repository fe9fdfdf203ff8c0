package io.duro.examples;

import static io.duro.examples.CollabDocTest.assertError;
import static io.duro.examples.ExampleAssertions.awaitBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import io.duro.testkit.TestWebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CursorsTest {

  @RegisterExtension final DuroExtension node =
      DuroExtension.builder().bind("cursors", Cursors.class).setting("duro.runtime.idle-timeout", "1s").build();



  @Test
  void peersSeeEachOthersPresenceColorsAndCursorsAlsoAfterHibernation() throws Exception {
    {
      TestWebSocket ada = TestWebSocket.connect(node.uri("/cursors/board/websocket?name=ada"));
      String welcome = ada.next();
      assertTrue(
          welcome.startsWith(
              "{\"type\":\"welcome\","
                  + "\"you\":{\"id\":\"p1\",\"name\":\"ada\",\"color\":\"#e6194b\""),
          welcome);
      assertTrue(welcome.endsWith("\"peers\":[]}"), welcome);
      ada.send("{\"type\":\"move\",\"x\":0.25,\"y\":0.5}");
      // a mover gets no answer; the object has it
      awaitBody(node, "/cursors/board/presence", "\"x\":0.25,\"y\":0.5");
      try (TestWebSocket bob =
          TestWebSocket.connect(node.uri("/cursors/board/websocket?name=bob"))) {
        String bobWelcome = bob.next();
        assertTrue(
            bobWelcome.contains("\"you\":{\"id\":\"p2\",\"name\":\"bob\",\"color\":\"#3cb44b\""),
            bobWelcome);
        assertTrue(
            bobWelcome.contains(
                "\"peers\":[{\"id\":\"p1\",\"name\":\"ada\",\"color\":\"#e6194b\",\"x\":0.25,"
                    + "\"y\":0.5}]"),
            bobWelcome);
        assertTrue(
            ada.next().startsWith("{\"type\":\"join\",\"peer\":{\"id\":\"p2\",\"name\":\"bob\""));

        bob.send("{\"type\":\"move\",\"x\":0.75,\"y\":0.125}");
        assertEquals("{\"type\":\"move\",\"id\":\"p2\",\"x\":0.75,\"y\":0.125}", ada.next());
        ada.send("{\"type\":\"move\",\"x\":0,\"y\":1}");
        assertEquals("{\"type\":\"move\",\"id\":\"p1\",\"x\":0.0,\"y\":1.0}", bob.next());
        ada.send("ping");
        assertEquals("pong", ada.next());

        // the object is dropped from memory, as after its idle timeout; positions live in the
        // attachments
        node.hibernate("cursors", "board");
        String presence = node.send("GET", "/cursors/board/presence", null).body();
        assertTrue(
            presence.contains("\"name\":\"ada\",\"color\":\"#e6194b\",\"x\":0.0,\"y\":1.0"),
            presence);
        assertTrue(
            presence.contains("\"name\":\"bob\",\"color\":\"#3cb44b\",\"x\":0.75"), presence);
        bob.send("{\"type\":\"move\",\"x\":0.5,\"y\":0.5}");
        assertEquals("{\"type\":\"move\",\"id\":\"p2\",\"x\":0.5,\"y\":0.5}", ada.next());
        assertEquals(0, bob.pending(), "a mover does not get its own move back");
      }
      assertEquals("{\"type\":\"leave\",\"id\":\"p2\",\"name\":\"bob\"}", ada.next());
      assertTrue(
          node.send("GET", "/cursors/board/presence", null)
              .body()
              .contains("\"peers\":[{\"id\":\"p1\""));
      ada.close();
      // the leave is handled before the node stops
      awaitBody(node, "/cursors/board/presence", "\"peers\":[]");
    }
  }

  @Test
  void badMovesAreAnsweredWithAnErrorToTheSenderOnly() throws Exception {
    {
      TestWebSocket ada = TestWebSocket.connect(node.uri("/cursors/board/websocket?name=ada"));
      TestWebSocket bob = TestWebSocket.connect(node.uri("/cursors/board/websocket?name=bob"));
      ada.nextContaining("\"type\":\"join\"");
      bob.next();
      ada.send("{\"type\":\"move\",\"x\":1.5,\"y\":0}");
      assertError(ada.next(), "\\\"x\\\" must be a number from 0.0 to 1.0; got 1.5");
      ada.send("{\"type\":\"move\",\"x\":0.5,\"y\":\"top\"}");
      assertError(ada.next(), "\\\"y\\\" must be a number from 0.0 to 1.0; got \\\"top\\\"");
      ada.send("{\"type\":\"move\",\"x\":0.5}");
      assertError(ada.next(), "\\\"y\\\" must be a number from 0.0 to 1.0; got null");
      ada.send("{\"type\":\"wave\"}");
      assertError(ada.next(), "Unknown message type \\\"wave\\\"");
      ada.send("not json");
      assertError(ada.next(), "Send JSON such as");
      ada.send("{\"type\":\"move\",\"x\":0.5,\"y\":0.5}");
      assertEquals("{\"type\":\"move\",\"id\":\"p1\",\"x\":0.5,\"y\":0.5}", bob.next());
      assertEquals(0, bob.pending(), "the other peer saw none of the errors");

      assertEquals(426, node.send("GET", "/cursors/board/websocket?name=cy", null).statusCode());
      assertEquals(405, node.send("POST", "/cursors/board/presence", "{}").statusCode());
      assertEquals(404, node.send("GET", "/cursors/board/elsewhere", null).statusCode());
      assertThrows(
          IllegalStateException.class,
          () -> TestWebSocket.connect(node.uri("/cursors/board/websocket?name=")));
      ada.close();
      bob.close();
      awaitBody(node, "/cursors/board/presence", "\"peers\":[]");
    }
  }
}

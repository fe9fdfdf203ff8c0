package io.duro.examples;

import static io.duro.examples.ExampleAssertions.awaitBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.Request;
import io.duro.testkit.DuroExtension;
import io.duro.testkit.TestWebSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CollabDocTest {

  @RegisterExtension final DuroExtension node =
      DuroExtension.builder().bind("doc", CollabDoc.class).build();



  /**
   * The client side of the protocol, as the page at /doc/ does it: edits apply locally at once; one
   * operation is in flight, later ones wait; an operation from the object is transformed against
   * the waiting ones before it is applied.
   */
  static final class DocClient implements AutoCloseable {
    final TestWebSocket ws;
    final String id;
    String text;
    long rev;
    final Deque<TextOperation> pending = new ArrayDeque<>();
    boolean inFlight;

    DocClient(DuroExtension node, String doc, String user) {
      ws = TestWebSocket.connect(node.uri("/doc/" + doc + "/websocket?user=" + user));
      Map<String, Object> snapshot = SocketMessages.parse(ws.next(), "");
      assertEquals("snapshot", snapshot.get("type"));
      id = (String) snapshot.get("you");
      text = (String) snapshot.get("text");
      rev = ((Number) snapshot.get("rev")).longValue();
    }

    void edit(TextOperation op) {
      text = op.apply(text);
      pending.add(op);
      if (!inFlight) {
        sendFirst();
      }
    }

    private void sendFirst() {
      ws.send(
          SocketMessages.json(
              HttpErrors.fields("type", "op", "rev", rev, "op", pending.peek().toJson())));
      inFlight = true;
    }

    /** Handles one message; returns its type. */
    String handle(String message) {
      Map<String, Object> m = SocketMessages.parse(message, "");
      switch ((String) m.get("type")) {
        case "ack" -> {
          rev = ((Number) m.get("rev")).longValue();
          pending.poll();
          inFlight = false;
          if (!pending.isEmpty()) {
            sendFirst();
          }
        }
        case "op" -> {
          assertEquals(rev + 1, ((Number) m.get("rev")).longValue(), "revisions arrive in order");
          rev++;
          TextOperation theirs = TextOperation.fromJson(m.get("op"));
          Deque<TextOperation> transformed = new ArrayDeque<>();
          for (TextOperation mine : pending) {
            TextOperation[] t = TextOperation.transform(mine, theirs);
            transformed.add(t[0]);
            theirs = t[1];
          }
          pending.clear();
          pending.addAll(transformed);
          text = theirs.apply(text);
        }
        case "editors" -> {}
        default -> throw new AssertionError("unexpected " + message);
      }
      return (String) m.get("type");
    }

    void handleAvailable() {
      while (ws.pending() > 0) {
        handle(ws.next());
      }
    }

    @Override
    public void close() {
      ws.close();
    }
  }

  @Test
  void concurrentEditsFromTwoClientsConvergeToTheSameText() throws Exception {
    {
      DocClient ada = new DocClient(node, "notes", "ada");
      DocClient bob = new DocClient(node, "notes", "bob");
      assertTrue(ada.ws.next().contains("\"editors\":[\"ada\",\"bob\"]"));
      // both type at the start of the empty document at revision 0
      ada.edit(TextOperation.fromJson(List.of("hello")));
      bob.edit(TextOperation.fromJson(List.of("world")));
      settle(ada, bob);
      assertEquals(ada.text, bob.text);
      assertTrue(ada.text.equals("helloworld") || ada.text.equals("worldhello"), ada.text);

      // many random edits from both sides, interleaved with what arrives
      Random random = new Random(7);
      for (int i = 0; i < 40; i++) {
        DocClient c = random.nextBoolean() ? ada : bob;
        c.edit(TextOperationTest.randomEdit(random, c.text));
        if (random.nextInt(3) == 0) {
          Thread.sleep(5); // pacing of the edits, so that some interleave with what arrives
        }
        ada.handleAvailable();
        bob.handleAvailable();
      }
      settle(ada, bob);
      assertEquals(ada.text, bob.text);
      String body = node.send("GET", "/doc/notes/", null).body();
      Map<?, ?> doc = Request.post("/", body).json(Map.class);
      assertEquals(ada.text, doc.get("text"));
      assertEquals(ada.rev, ((Number) doc.get("rev")).longValue());
      assertEquals(42, ada.rev);
      String ops = node.send("GET", "/doc/notes/ops?since=40", null).body();
      assertTrue(ops.contains("\"rev\":41") && ops.contains("\"rev\":42"), ops);

      // a third client that joins now starts from the same text
      try (DocClient cy = new DocClient(node, "notes", "cy")) {
        assertEquals(ada.text, cy.text);
        assertEquals(42, cy.rev);
      }
      ada.close();
      bob.close();
      // the leaves are handled before the node stops
      awaitBody(node, "/doc/notes/", "\"editors\":[]");
    }
  }

  /** Delivers messages until neither client waits for anything and both saw every revision. */
  private static void settle(DocClient a, DocClient b) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (a.inFlight || b.inFlight || a.rev != b.rev || a.ws.pending() + b.ws.pending() > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("did not settle: " + a.rev + " / " + b.rev);
      }
      if (a.ws.pending() == 0 && b.ws.pending() == 0) {
        Thread.sleep(5); // nothing arrived: the poll interval of an awaited condition
      }
      a.handleAvailable();
      b.handleAvailable();
    }
  }

  @Test
  void badMessagesAreAnsweredWithAnErrorAndTheDocumentKeepsWorking() throws Exception {
    {
      DocClient ada = new DocClient(node, "bad", "ada");
      ada.ws.send("hello");
      assertError(ada.ws.next(), "Send JSON such as");
      ada.ws.send("[1,2]");
      assertError(ada.ws.next(), "with a \\\"type\\\"");
      ada.ws.send("{\"type\":\"paste\"}");
      assertError(ada.ws.next(), "Unknown message type");
      ada.ws.send("{\"type\":\"op\",\"rev\":5,\"op\":[\"x\"]}");
      assertError(ada.ws.next(), "\\\"rev\\\" must be an integer from 0 to 0; got 5");
      ada.ws.send("{\"type\":\"op\",\"rev\":0,\"op\":[1.5]}");
      assertError(ada.ws.next(), "Component 0 of the operation");
      ada.ws.send("{\"type\":\"op\",\"rev\":0,\"op\":[3,\"x\"]}");
      assertError(ada.ws.next(), "applies to a text of 3 characters, but revision 0 has 0");
      ada.ws.send(
          "{\"type\":\"op\",\"rev\":0,\"op\":[\"" + "x".repeat(CollabDoc.MAX_LENGTH + 1) + "\"]}");
      assertError(ada.ws.next(), "at most 32000 characters");
      ada.ws.send(new byte[] {1, 2});
      assertError(ada.ws.next(), "Send text messages");
      ada.edit(TextOperation.fromJson(List.of("ok")));
      assertEquals("ack", ada.handle(ada.ws.next()));
      assertTrue(node.send("GET", "/doc/bad/", null).body().contains("\"text\":\"ok\""));

      assertEquals(426, node.send("GET", "/doc/bad/websocket", null).statusCode());
      assertEquals(405, node.send("DELETE", "/doc/bad/", null).statusCode());
      assertEquals(404, node.send("GET", "/doc/bad/nope", null).statusCode());
      var since = node.send("GET", "/doc/bad/ops?since=x", null);
      assertEquals(400, since.statusCode());
      assertTrue(since.body().contains("\"error\":\"invalid_since\""), since.body());
      assertThrows(
          IllegalStateException.class,
          () -> TestWebSocket.connect(node.uri("/doc/bad/websocket?user=" + "a".repeat(40))));
      ada.close();
      awaitBody(node, "/doc/bad/", "\"editors\":[]");
    }
  }

  static void assertError(String message, String part) {
    assertTrue(message.startsWith("{\"type\":\"error\""), message);
    assertTrue(message.contains(part), message);
  }
}

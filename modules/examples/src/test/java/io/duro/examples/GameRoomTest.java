package io.duro.examples;

import static io.duro.examples.CollabDocTest.assertError;
import static io.duro.examples.ExampleAssertions.awaitBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import io.duro.testkit.TestWebSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GameRoomTest {


  private static final Map<String, Class<? extends io.duro.api.DurableObject>> GAME =
      Map.of("game", GameRoom.class);

  @RegisterExtension final DuroExtension node =
      DuroExtension.builder().bindAll(GAME).build();

  private static TestWebSocket join(DuroExtension node, String name) {
    return TestWebSocket.connect(node.uri("/game/room/websocket?name=" + name));
  }

  private static void move(TestWebSocket ws, int cell) {
    ws.send("{\"type\":\"move\",\"cell\":" + cell + "}");
  }

  @Test
  void twoPlayersPlayAGameToAWinWhileASpectatorWatchesAndIllegalMovesAreRefused() throws Exception {
    {
      TestWebSocket ada = join(node, "ada");
      assertEquals("{\"type\":\"welcome\",\"you\":\"ada\",\"role\":\"X\"}", ada.next());
      assertTrue(ada.next().contains("\"status\":\"waiting\""));
      move(ada, 4);
      assertError(ada.next(), "Waiting for a second player");
      try (TestWebSocket bob = join(node, "bob");
          TestWebSocket cy = join(node, "cy")) {
        assertEquals("{\"type\":\"welcome\",\"you\":\"bob\",\"role\":\"O\"}", bob.next());
        assertEquals("{\"type\":\"welcome\",\"you\":\"cy\",\"role\":\"spectator\"}", cy.next());
        String state = ada.nextContaining("\"online\":[\"ada\",\"bob\",\"cy\"]");
        assertTrue(state.contains("\"x\":\"ada\",\"o\":\"bob\""), state);
        assertTrue(state.contains("\"turn\":\"X\",\"status\":\"playing\""), state);
        bob.nextContaining("\"online\":[\"ada\",\"bob\",\"cy\"]");
        cy.nextContaining("\"online\":[\"ada\",\"bob\",\"cy\"]");

        move(bob, 0);
        assertError(bob.next(), "It is X's turn, not yours (O)");
        move(cy, 0);
        assertError(cy.next(), "Spectators cannot move");
        move(ada, 9);
        assertError(ada.next(), "\\\"cell\\\" must be an integer from 0 to 8; got 9");
        ada.send("{\"type\":\"move\",\"cell\":\"4\"}");
        assertError(ada.next(), "\\\"cell\\\" must be an integer from 0 to 8; got \\\"4\\\"");
        ada.send("{\"type\":\"castle\"}");
        assertError(ada.next(), "Unknown message type \\\"castle\\\"");
        ada.send("{\"type\":\"rematch\"}");
        assertError(ada.next(), "The game is not over yet");
        ada.send("4");
        assertError(ada.next(), "Send a JSON object with a \\\"type\\\"");
        assertEquals(0, bob.pending() + cy.pending(), "refusals go to the sender only");

        // X takes the middle column with the last free-but-one cell
        int[] moves = {4, 0, 2, 6, 3, 5, 1, 8, 7};
        TestWebSocket[] players = {ada, bob};
        for (int i = 0; i < moves.length; i++) {
          move(players[i % 2], moves[i]);
          String s = cy.next();
          assertTrue(s.contains("\"status\":\"" + (i < 8 ? "playing" : "won") + "\""), s);
          ada.next();
          bob.next();
          if (i == 2) {
            move(bob, 4);
            assertError(bob.next(), "Cell 4 is taken by X; pick a free one");
          }
        }
        String won = node.send("GET", "/game/room/state", null).body();
        assertTrue(
            won.contains("\"board\":[\"O\",\"X\",\"X\",\"X\",\"X\",\"O\",\"O\",\"X\",\"O\"]"), won);
        assertTrue(won.contains("\"status\":\"won\",\"winner\":\"X\",\"line\":[1,4,7]"), won);
        assertTrue(won.contains("\"score\":{\"O\":0,\"X\":1,\"draw\":0}"), won);
        move(bob, 0);
        assertError(bob.next(), "The game is over; send {\\\"type\\\":\\\"rematch\\\"}");
        cy.send("{\"type\":\"rematch\"}");
        assertError(cy.next(), "Only the players can ask for a rematch");

        bob.send("{\"type\":\"rematch\"}");
        String rematch = cy.next();
        assertTrue(
            rematch.contains("\"board\":[\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"]"), rematch);
        assertTrue(rematch.contains("\"turn\":\"O\",\"status\":\"playing\""), rematch);
        assertTrue(rematch.contains("\"round\":2"), rematch);
      }
      // bob and cy left; ada sees who is online, and bob's seat is kept for him
      String left = ada.nextContaining("\"online\":[\"ada\"]");
      assertTrue(left.contains("\"o\":\"bob\""), left);
      ada.close();
      awaitBody(node, "/game/room/state", "\"online\":[]");
    }
  }

  @Test
  void aGameSurvivesARestartOfTheNodeAndPlayersGetTheirSeatsBack() throws Exception {
    {
      try (TestWebSocket ada = join(node, "ada");
          TestWebSocket bob = join(node, "bob")) {
        bob.nextContaining("\"status\":\"playing\"");
        move(ada, 0);
        bob.nextContaining("\"board\":[\"X\"");
        move(bob, 8);
        ada.nextContaining("\"turn\":\"X\"");
      }
      // both leaves handled before the node stops
      awaitBody(node, "/game/room/state", "\"online\":[]");
    }
    node.restart();
    {
      TestWebSocket bob = join(node, "bob");
      TestWebSocket dan = join(node, "dan");
      assertEquals("{\"type\":\"welcome\",\"you\":\"bob\",\"role\":\"O\"}", bob.next());
      String state = bob.next();
      assertTrue(
          state.contains("\"board\":[\"X\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"O\"]"), state);
      assertEquals("{\"type\":\"welcome\",\"you\":\"dan\",\"role\":\"spectator\"}", dan.next());
      bob.nextContaining("\"online\":[\"bob\",\"dan\"]");
      move(bob, 4);
      assertError(bob.next(), "It is X's turn");

      // a reset gives the seats to who is here now
      var reset = node.send("POST", "/game/room/reset", null);
      assertEquals(200, reset.statusCode());
      assertTrue(reset.body().contains("\"x\":\"bob\",\"o\":\"dan\""), reset.body());
      dan.nextContaining("\"x\":\"bob\",\"o\":\"dan\"");
      bob.nextContaining("\"x\":\"bob\",\"o\":\"dan\"");
      move(bob, 4);
      assertTrue(dan.next().contains("\"board\":[\"\",\"\",\"\",\"\",\"X\""));

      assertEquals(405, node.send("GET", "/game/room/reset", null).statusCode());
      assertEquals(405, node.send("PUT", "/game/room/state", "{}").statusCode());
      assertEquals(404, node.send("GET", "/game/room/board", null).statusCode());
      assertEquals(426, node.send("GET", "/game/room/websocket?name=eve", null).statusCode());
      assertThrows(IllegalStateException.class, () -> join(node, "%01"));
      bob.close();
      dan.close();
      awaitBody(node, "/game/room/state", "\"online\":[]");
    }
  }
}

package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.DuroExtension;
import io.duro.testkit.TestWebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ChatRoomTest {

  @RegisterExtension
  static DuroExtension node = DuroExtension.builder().bind("chat", ChatRoom.class).build();

  @Test
  void membersSeeEachOthersMessagesAndTheHistorySurvives() throws Exception {
    try (TestWebSocket ada = node.webSocket("/chat/lobby/websocket?name=ada")) {
      String welcome = ada.next();
      assertTrue(welcome.contains("\"type\":\"welcome\""), welcome);
      try (TestWebSocket bob = node.webSocket("/chat/lobby/websocket?name=bob")) {
        assertTrue(bob.next().contains("\"members\":[\"ada\",\"bob\"]"));
        assertTrue(ada.next().contains("\"type\":\"join\""));
        ada.send("hello bob");
        assertTrue(bob.next().contains("\"text\":\"hello bob\""));
        assertTrue(ada.next().contains("\"text\":\"hello bob\""));
        ada.send("ping");
        assertEquals("pong", ada.next());
      }
      assertTrue(ada.next().contains("\"type\":\"leave\""));
      node.hibernate("chat", "lobby");
      assertTrue(node.send("GET", "/chat/lobby/history", null).body().contains("hello bob"));
      assertTrue(node.send("GET", "/chat/lobby/members", null).body().contains("[\"ada\"]"),
          "the member's socket stayed open while the room hibernated");
    }
  }
}

package io.duro.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.TestNode;
import io.duro.testkit.TestWebSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatRoomTest {

  @TempDir Path dataDir;

  @Test
  void membersSeeEachOthersMessagesAndTheHistorySurvives() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("chat", ChatRoom.class));
        TestWebSocket ada = TestWebSocket.connect(node.uri("/chat/lobby/websocket?name=ada"))) {
      String welcome = ada.next();
      assertTrue(welcome.contains("\"type\":\"welcome\""), welcome);
      try (TestWebSocket bob = TestWebSocket.connect(node.uri("/chat/lobby/websocket?name=bob"))) {
        assertTrue(bob.next().contains("\"members\":[\"ada\",\"bob\"]"));
        assertTrue(ada.next().contains("\"type\":\"join\""));
        ada.send("hello bob");
        assertTrue(bob.next().contains("\"text\":\"hello bob\""));
        assertTrue(ada.next().contains("\"text\":\"hello bob\""));
        ada.send("ping");
        assertEquals("pong", ada.next());
      }
      assertTrue(ada.next().contains("\"type\":\"leave\""));
      assertTrue(node.send("GET", "/chat/lobby/history", null).body().contains("hello bob"));
    }
  }
}

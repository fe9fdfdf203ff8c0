package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.testkit.TestWebSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * WebSockets across a cluster of three node processes on PostgreSQL (DESIGN §6, §7): members of
 * the same chat rooms connect through different gateways, so an object's sends cross nodes to the
 * gateway that holds each socket and the clients' messages cross back. Then the node holding
 * bob's sockets is killed with {@code kill -9}: in every room either the room learns that bob's
 * socket is gone (it lived elsewhere: {@code leave} after the node is downed) or, if the room lived
 * on the killed node, it moved, and the sockets it no longer knows are closed with 1012 so their
 * clients reconnect.
 */
@Tag("process")
class WebSocketClusterIT {

  private static final int ROOMS = 6;

  @Test
  void roomsSpanGatewaysAndSurviveTheLossOfANode() throws Exception {
    Path temp = Files.createTempDirectory("duro-ws-cluster-it");
    int[] clusterPorts = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
    int[] ports = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
    NodeProcess[] nodes = new NodeProcess[3];
    List<TestWebSocket> sockets = new ArrayList<>();
    try (PostgresDatabase db = PostgresDatabase.create()) {
      Path config = db.configFile(temp, "");
      for (int i = 0; i < 3; i++) {
        nodes[i] =
            NodeProcess.launch(
                temp,
                "node" + (i + 1),
                ports[i],
                List.of(
                    "--port", "" + ports[i],
                    "--config", config.toString(),
                    "--data-dir", temp.resolve("data" + i).toString(),
                    "--cluster-port", "" + clusterPorts[i],
                    "--seed", "127.0.0.1:" + clusterPorts[0]));
        if (i == 0) {
          nodes[0].awaitHealthy();
        }
      }
      nodes[1].awaitHealthy();
      nodes[2].awaitHealthy();
      TestWebSocket[] ada = new TestWebSocket[ROOMS];
      TestWebSocket[] carl = new TestWebSocket[ROOMS];
      for (int r = 0; r < ROOMS; r++) {
        ada[r] = join(ports[0], r, "ada");
        sockets.add(ada[r]);
        ada[r].nextContaining("\"welcome\"");
        TestWebSocket bob = join(ports[1], r, "bob");
        sockets.add(bob);
        bob.nextContaining("\"welcome\"");
        carl[r] = join(ports[2], r, "carl");
        sockets.add(carl[r]);
        String welcome = carl[r].nextContaining("\"welcome\"");
        assertTrue(welcome.contains("[\"ada\",\"bob\",\"carl\"]"), welcome);
        ada[r].send("hello " + r);
        String hello = carl[r].nextContaining("\"message\"");
        assertTrue(hello.contains("hello " + r), hello);
        bob.send("hi " + r);
        String hi = ada[r].nextContaining("\"from\":\"bob\"");
        assertTrue(hi.contains("hi " + r), hi);
      }
      nodes[1].killDashNine(); // bob's gateway
      int left = 0;
      int moved = 0;
      for (int r = 0; r < ROOMS; r++) {
        String outcome = awaitOutcome(ada[r], carl[r]);
        if (outcome.equals("leave")) {
          left++;
          ada[r].send("after " + r); // the room still works for those who stayed
          carl[r].nextContaining("\"text\":\"after " + r + "\""); // skips earlier "anyone?"
        } else {
          moved++;
        }
      }
      assertEquals(ROOMS, left + moved);
    } finally {
      sockets.forEach(TestWebSocket::close);
      for (NodeProcess n : nodes) {
        if (n != null) {
          n.close();
        }
      }
    }
  }

  private static TestWebSocket join(int port, int room, String name) {
    return TestWebSocket.connect(
        URI.create("ws://127.0.0.1:" + port + "/chat/cluster-room-" + room + "/websocket?name=" + name));
  }

  /**
   * Waits (up to 90 s: the Split Brain Resolver downs the killed node first, and a message sent
   * to a room on the dead node waits for the ask timeout) until the room told
   * ada that bob left, or the room moved and ada's socket was closed with 1012.
   */
  private static String awaitOutcome(TestWebSocket ada, TestWebSocket carl) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String m = ada.nextContaining("\"type\"");
        if (m.contains("\"leave\"") && m.contains("\"bob\"")) {
          return "leave";
        }
      } catch (IllegalStateException noMessageYet) {
        try {
          ada.send("anyone?"); // a room that moved answers this with a 1012 close
        } catch (java.util.concurrent.CompletionException closedMeanwhile) {
          // the 1012 close for an earlier "anyone?" came after the wait below: read it now
        }
        try {
          int code = ada.awaitCloseWithin(Duration.ofSeconds(2));
          assertEquals(1012, code, "close code of a socket whose room moved");
          return "moved";
        } catch (IllegalStateException notClosed) {
          // neither yet
        }
      }
    }
    throw new AssertionError("Neither a leave event nor a 1012 close within 90 s");
  }
}

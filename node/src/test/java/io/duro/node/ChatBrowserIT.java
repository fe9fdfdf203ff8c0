package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat page of the built-in app (/chat/) in two headless Chromium browsers against a real
 * node: both join the same room over WebSockets, and a message typed in one appears in the other.
 * Needs the OS packages chromium and chromium-driver (.ci/run installs them); without them the
 * test is skipped, unless -Dduro.require-browser=true (as in CI) makes that a failure.
 */
@Tag("process")
class ChatBrowserIT {

  @TempDir Path temp;

  @Test
  void twoBrowsersChatThroughTheNode() throws Exception {
    WebDriverClient.assumeInstalled();
    int port = NodeProcess.freePort();
    try (NodeProcess node = NodeProcess.builtIn(temp, port);
        WebDriverClient ada = WebDriverClient.start(temp, "ada");
        WebDriverClient bob = WebDriverClient.start(temp, "bob")) {
      node.awaitHealthy();
      String page = "http://127.0.0.1:" + port + "/chat/?room=browsers";
      join(ada, page, "ada");
      awaitText(ada, "members", "ada");
      join(bob, page, "bob");
      awaitText(ada, "log", "bob joined");
      awaitText(bob, "members", "ada");
      say(ada, "hello from ada");
      awaitText(bob, "log", "ada: hello from ada");
      say(bob, "hi ada");
      awaitText(ada, "log", "bob: hi ada");
      assertEquals(
          "Connected to room browsers",
          ada.script("return document.getElementById('status').textContent").asText());
      String history = new HttpJson(port).get("/chat/browsers/history").body();
      assertTrue(history.contains("hello from ada") && history.contains("hi ada"), history);
    }
  }

  private static void join(WebDriverClient browser, String page, String name) throws Exception {
    browser.open(page);
    browser.script(
        "document.getElementById('name').value = arguments[0];"
            + "document.getElementById('join-button').click();",
        name);
  }

  private static void say(WebDriverClient browser, String text) throws Exception {
    browser.script(
        "document.getElementById('text').value = arguments[0];"
            + "document.getElementById('send-button').click();",
        text);
  }

  private static void awaitText(WebDriverClient browser, String element, String text)
      throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    String seen = "";
    while (System.nanoTime() < deadline) {
      seen =
          browser
              .script("return document.getElementById(arguments[0]).textContent", element)
              .asText();
      if (seen.contains(text)) {
        return;
      }
      Thread.sleep(100); // the poll interval of an awaited condition
    }
    throw new AssertionError("#" + element + " never showed '" + text + "'; it shows: " + seen);
  }
}

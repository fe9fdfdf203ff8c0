package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-time pages of the built-in app — the collaborative document (/doc/), live cursors
 * (/cursors/) and the tic-tac-toe room (/game/) — in two headless Chromium browsers against a real
 * node: each browser sees the other's edits, pointer and moves. Needs the OS packages chromium and
 * chromium-driver (.ci/run installs them); without them the test is skipped, unless
 * -Dduro.require-browser=true (as in CI) makes that a failure.
 */
@Tag("process")
class RealtimeBrowserIT {

  @TempDir Path temp;

  @Test
  void twoBrowsersEditADocumentSeeEachOthersCursorsAndPlayAGame() throws Exception {
    WebDriverClient.assumeInstalled();
    int port = NodeProcess.freePort();
    try (NodeProcess node = NodeProcess.builtIn(temp, port);
        WebDriverClient ada = WebDriverClient.start(temp, "ada");
        WebDriverClient bob = WebDriverClient.start(temp, "bob")) {
      node.awaitHealthy();
      String base = "http://127.0.0.1:" + port;
      editTogether(ada, bob, base, new HttpJson(port));
      moveCursors(ada, bob, base);
      playAGame(ada, bob, base);
    }
  }

  private static final String TEXT = "return document.getElementById('text').value";

  private static void editTogether(
      WebDriverClient ada, WebDriverClient bob, String base, HttpJson http) throws Exception {
    ada.open(base + "/doc/?name=browsers&user=ada");
    bob.open(base + "/doc/?name=browsers&user=bob");
    awaitText(ada, "editors", "bob");
    awaitScript(bob, "return String(!document.getElementById('text').disabled)", "true");
    type(ada, -1, "hello world");
    awaitScript(bob, TEXT, "hello world");

    // both edit at once, several times each, without waiting for the other
    ada.script(
        "const a = document.getElementById('text');"
            + "for (const w of [' one', ' two', ' three']) {"
            + "  a.value = a.value + w; a.dispatchEvent(new Event('input')); }");
    bob.script(
        "const a = document.getElementById('text');"
            + "for (const w of ['A', 'B', 'C']) {"
            + "  a.value = w + a.value; a.dispatchEvent(new Event('input')); }");
    String expected = "CBAhello world one two three";
    awaitScript(ada, TEXT, expected);
    awaitScript(bob, TEXT, expected);
    String doc = http.get("/doc/browsers/").body();
    assertTrue(doc.contains("\"text\":\"" + expected + "\""), doc);
    assertTrue(doc.contains("\"rev\":7"), doc);
  }

  /** Inserts text at a position (-1: at the end) as typing would, with an input event. */
  private static void type(WebDriverClient browser, int at, String text) throws Exception {
    browser.script(
        "const a = document.getElementById('text'); const at = arguments[0] < 0 ?"
            + " a.value.length : arguments[0];"
            + "a.value = a.value.slice(0, at) + arguments[1] + a.value.slice(at);"
            + "a.dispatchEvent(new Event('input'));",
        at,
        text);
  }

  private static void moveCursors(WebDriverClient ada, WebDriverClient bob, String base)
      throws Exception {
    join(ada, base + "/cursors/?board=browsers", "ada");
    awaitText(ada, "peers", "ada (you)");
    join(bob, base + "/cursors/?board=browsers", "bob");
    awaitText(ada, "peers", "bob");
    awaitText(bob, "peers", "ada");
    ada.script(
        "document.dispatchEvent(new PointerEvent('pointermove',"
            + " {clientX: innerWidth / 4, clientY: innerHeight / 2, bubbles: true}))");
    String seen =
        awaitScript(
            bob,
            "const c = document.querySelector('.cursor[data-name=\"ada\"]');"
                + "return c ? c.dataset.x + ' ' + c.dataset.y + ' ' + c.textContent : ''",
            "ada");
    String[] xy = seen.split(" ");
    assertEquals(0.25, Double.parseDouble(xy[0]), 0.01, seen);
    assertEquals(0.5, Double.parseDouble(xy[1]), 0.01, seen);
    // bob leaves the page: it closes its socket (also if the page is kept in the back/forward
    // cache), and ada sees him go
    bob.open("about:blank");
    awaitScript(
        ada,
        "return String(document.getElementById('peers').textContent.includes('bob'))",
        "false");
  }

  private static void playAGame(WebDriverClient ada, WebDriverClient bob, String base)
      throws Exception {
    join(ada, base + "/game/?room=browsers", "ada");
    awaitText(ada, "status", "Waiting for a second player");
    join(bob, base + "/game/?room=browsers", "bob");
    awaitText(ada, "status", "Your turn (X)");
    awaitText(bob, "status", "ada (X) to move");
    int[] cells = {0, 3, 1, 4};
    for (int i = 0; i < cells.length; i++) {
      WebDriverClient player = i % 2 == 0 ? ada : bob;
      WebDriverClient other = i % 2 == 0 ? bob : ada;
      click(player, cells[i]);
      awaitScript(other, cellText(cells[i]), i % 2 == 0 ? "X" : "O");
    }
    click(ada, 3);
    awaitText(ada, "error", "Cell 3 is taken by O");
    click(bob, 8);
    awaitText(bob, "error", "It is X's turn");
    click(ada, 2);
    awaitText(bob, "status", "ada (X) wins");
    awaitText(ada, "status", "ada (X) wins");
    awaitText(bob, "info", "score X 1, O 0");
  }

  private static String cellText(int cell) {
    return "return document.querySelector('[data-cell=\"" + cell + "\"]').textContent";
  }

  private static void click(WebDriverClient browser, int cell) throws Exception {
    browser.script("document.querySelector('[data-cell=\"' + arguments[0] + '\"]').click()", cell);
  }

  private static void join(WebDriverClient browser, String page, String name) throws Exception {
    browser.open(page);
    browser.script(
        "document.getElementById('name').value = arguments[0];"
            + "document.getElementById('join-button').click();",
        name);
  }

  private static void awaitText(WebDriverClient browser, String element, String text)
      throws Exception {
    awaitScript(browser, "return document.getElementById('" + element + "').textContent", text);
  }

  /** Runs the script until its result contains {@code text}; returns that result. */
  private static String awaitScript(WebDriverClient browser, String script, String text)
      throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    String seen = "";
    while (System.nanoTime() < deadline) {
      seen = browser.script(script).asText();
      if (seen.contains(text)) {
        return seen;
      }
      Thread.sleep(100); // the poll interval of an awaited condition
    }
    throw new AssertionError("'" + script + "' never showed '" + text + "'; it shows: " + seen);
  }
}

package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/first-object.md shows the files of {@code examples/hello-app} in full: each must be
 * identical to the file that {@link HelloAppIT} builds and runs, so the page works as written.
 */
class FirstObjectDocTest {

  static final Path DOC = Path.of("../docs/first-object.md");
  static final Path PROJECT = Path.of("../examples/hello-app");

  /** A file shown on the page: its path in the project and the code block's text. */
  record Shown(String path, String text) {}

  static List<Shown> shownFiles() throws IOException {
    Matcher m =
        Pattern.compile("\\*\\*`([^`]+)`\\*\\*\\n\\n```\\w*\\n(.*?)```", Pattern.DOTALL)
            .matcher(Files.readString(DOC));
    List<Shown> shown = new ArrayList<>();
    while (m.find()) {
      shown.add(new Shown(m.group(1), m.group(2)));
    }
    return shown;
  }

  @Test
  void everyFileOfTheExampleProjectIsShownOnThePageExactly() throws IOException {
    List<Shown> shown = shownFiles();
    List<String> paths = shown.stream().map(Shown::path).toList();
    List<String> expected;
    try (var files = Files.walk(PROJECT)) {
      expected =
          files
              .filter(Files::isRegularFile)
              .map(p -> PROJECT.relativize(p).toString().replace('\\', '/'))
              .filter(p -> !p.startsWith("target/"))
              .sorted()
              .toList();
    }
    assertEquals(expected, paths.stream().sorted().toList(), "files shown on the page");
    for (Shown s : shown) {
      assertEquals(
          Files.readString(PROJECT.resolve(s.path())),
          s.text(),
          s.path() + " on docs/first-object.md differs from examples/hello-app/" + s.path());
    }
  }

  @Test
  void pageRunsTheJarThatTheProjectBuilds() throws IOException {
    String doc = Files.readString(DOC);
    assertTrue(doc.contains("<finalName>hello-app</finalName>"), "pom names the jar");
    assertTrue(doc.contains("--app target/hello-app.jar"), doc);
  }
}

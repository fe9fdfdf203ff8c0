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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of STYLE.md, checked on the sources: no module imports another module's
 * {@code internal} package, and the SDK imports nothing but the JDK and itself.
 */
class ModuleBoundariesTest {

  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);

  static List<Path> mainSources(String module) throws IOException {
    Path dir = ROOT.resolve(module).resolve("src/main/java");
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".java")).toList();
    }
  }

  static List<String> imports(Path file) throws IOException {
    List<String> found = new ArrayList<>();
    Matcher m = IMPORT.matcher(Files.readString(file));
    while (m.find()) {
      found.add(m.group(2));
    }
    return found;
  }

  @Test
  void noModuleImportsAnotherModulesInternalPackage() throws IOException {
    List<String> violations = new ArrayList<>();
    for (String module :
        List.of("modules/api", "modules/storage", "modules/runtime", "modules/gateway",
            "modules/server", "modules/testkit", "modules/examples", "node")) {
      String own = module.equals("node") ? "node" : module.substring("modules/".length());
      for (Path file : mainSources(module)) {
        for (String imported : imports(file)) {
          Matcher m = Pattern.compile("^io\\.duro\\.(\\w+)\\.internal\\.").matcher(imported);
          if (m.find() && !m.group(1).equals(own)) {
            violations.add(ROOT.relativize(file) + " imports " + imported);
          }
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  @Test
  void theSdkImportsOnlyTheJdkAndItself() throws IOException {
    List<String> violations = new ArrayList<>();
    List<Path> files = mainSources("modules/api");
    assertTrue(files.size() > 10, "the api sources were found: " + files.size());
    for (Path file : files) {
      for (String imported : imports(file)) {
        if (!imported.startsWith("java.") && !imported.startsWith("io.duro.api")) {
          violations.add(ROOT.relativize(file) + " imports " + imported);
        }
      }
    }
    assertEquals(List.of(), violations);
  }
}

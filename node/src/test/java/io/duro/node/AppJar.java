package io.duro.node;

import io.duro.api.Worker;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds an application jar from a Maven project laid out like {@code examples/hello-app}
 * ({@code src/main/java}, {@code src/main/resources}) the way {@code mvn package} would, but with
 * the JDK's compiler against the duro-api classes of this build — so tests need neither network
 * nor a duro-api in {@code ~/.m2}.
 */
final class AppJar {

  private AppJar() {}

  /** The {@code examples/} directory of the checkout, named by failsafe. */
  static Path examplesDir() {
    String dir = System.getProperty("duro.examples.dir");
    if (dir == null) {
      throw new IllegalStateException(
          "System property duro.examples.dir is not set: run this test with mvn verify");
    }
    return Path.of(dir);
  }

  /**
   * Compiles {@code project}'s sources and packages them with its resources.
   *
   * @param project the Maven project directory
   * @param jar the jar to write
   * @param manifestEdit changes the text of {@code duro.json} (identity to keep it)
   * @return the jar
   */
  static Path build(Path project, Path jar, UnaryOperator<String> manifestEdit)
      throws IOException {
    Path classes = Files.createTempDirectory(jar.getParent(), "classes");
    List<String> sources;
    try (Stream<Path> files = Files.walk(project.resolve("src/main/java"))) {
      sources = files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args =
        new ArrayList<>(
            List.of("--release", "17", "-classpath", apiLocation(), "-d", classes.toString()));
    args.addAll(sources);
    int rc = javac.run(null, null, null, args.toArray(String[]::new));
    if (rc != 0) {
      throw new AssertionError("javac failed with " + rc + " on " + project);
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      add(out, classes, UnaryOperator.identity());
      add(out, project.resolve("src/main/resources"), manifestEdit);
    }
    return jar;
  }

  private static void add(JarOutputStream out, Path root, UnaryOperator<String> manifestEdit)
      throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      String name = root.relativize(f).toString().replace('\\', '/');
      out.putNextEntry(new JarEntry(name));
      byte[] bytes = Files.readAllBytes(f);
      if (name.equals("duro.json")) {
        bytes = manifestEdit.apply(new String(bytes, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
      }
      ((OutputStream) out).write(bytes);
      out.closeEntry();
    }
  }

  /** Where the duro-api classes of this build are (a jar or a classes directory). */
  private static String apiLocation() {
    try {
      return Path.of(Worker.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.duro.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static files of the application: everything under {@code public/} in the jar or directory that
 * holds the application's classes is served by every gateway for GET and HEAD, before object
 * routing ({@code public/chat/index.html} at {@code /chat/} and {@code /chat/index.html}). The
 * files are read once at start (keep them small: pages, scripts, styles), so a request costs one
 * map lookup.
 */
final class StaticAssets {

  private static final Logger log = LoggerFactory.getLogger(StaticAssets.class);
  private static final String ROOT = "public/";
  private static final long MAX_TOTAL_BYTES = 16L * 1024 * 1024;

  private final Map<String, HttpResponse> byPath;

  private StaticAssets(Map<String, HttpResponse> byPath) {
    this.byPath = byPath;
  }

  static StaticAssets none() {
    return new StaticAssets(Map.of());
  }

  /**
   * Reads the {@code public/} files next to a class.
   *
   * @param anchor a class of the application
   * @return the assets, possibly none
   */
  static StaticAssets of(Class<?> anchor) {
    Map<String, byte[]> files = new HashMap<>();
    try {
      URL location = anchor.getProtectionDomain().getCodeSource().getLocation();
      Path path = Path.of(location.toURI());
      if (Files.isDirectory(path)) {
        Path root = path.resolve(ROOT);
        if (Files.isDirectory(root)) {
          try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
              files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
          }
        }
      } else if (Files.isRegularFile(path)) {
        try (JarFile jar = new JarFile(path.toFile())) {
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            JarEntry e = entries.nextElement();
            if (!e.isDirectory() && e.getName().startsWith(ROOT)) {
              try (InputStream in = jar.getInputStream(e)) {
                files.put(e.getName().substring(ROOT.length()), in.readAllBytes());
              }
            }
          }
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      log.warn("Static files next to {} could not be read: {}", anchor.getName(), e.toString());
      return none();
    }
    long total = files.values().stream().mapToLong(b -> b.length).sum();
    if (total > MAX_TOTAL_BYTES) {
      log.warn("Static files ({} bytes) exceed {} bytes; none are served", total, MAX_TOTAL_BYTES);
      return none();
    }
    Map<String, HttpResponse> byPath = new HashMap<>();
    files.forEach(
        (name, bytes) -> {
          HttpResponse response =
              HttpResponse.create()
                  .withEntity(HttpEntities.create(typeOf(name), bytes))
                  .addHeader(
                      org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
                          "Cache-Control", "no-cache"));
          byPath.put("/" + name, response);
          if (name.equals("index.html") || name.endsWith("/index.html")) {
            byPath.put("/" + name.substring(0, name.length() - "index.html".length()), response);
          }
        });
    if (!byPath.isEmpty()) {
      log.info("Serving {} static files from {}public/", files.size(), anchor.getSimpleName());
    }
    return new StaticAssets(Map.copyOf(byPath));
  }

  /**
   * The answer for a path, if it names a static file.
   *
   * @param path the request path
   * @return the response, or null
   */
  HttpResponse find(String path) {
    return byPath.isEmpty() ? null : byPath.get(path);
  }

  private static ContentType typeOf(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    String type;
    if (n.endsWith(".html") || n.endsWith(".htm")) {
      type = "text/html; charset=UTF-8";
    } else if (n.endsWith(".js") || n.endsWith(".mjs")) {
      type = "text/javascript; charset=UTF-8";
    } else if (n.endsWith(".css")) {
      type = "text/css; charset=UTF-8";
    } else if (n.endsWith(".json")) {
      type = "application/json";
    } else if (n.endsWith(".svg")) {
      type = "image/svg+xml";
    } else if (n.endsWith(".png")) {
      type = "image/png";
    } else if (n.endsWith(".txt")) {
      type = "text/plain; charset=UTF-8";
    } else {
      type = "application/octet-stream";
    }
    return ContentTypes.parse(type);
  }
}

package io.duro.runtime.migrations;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.duro.api.DurableObject;
import io.duro.api.Worker;
import io.duro.runtime.Application;
import io.duro.runtime.ObjectBinding;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * A parsed {@code duro.json} (modelled on Cloudflare's wrangler.json): the application's name,
 * its optional {@code main} Worker class, the Durable Object bindings, string variables and the
 * migrations that introduce, rename, delete and transfer classes. See {@code docs/manifest.md} and
 * {@code docs/migrations.md}.
 *
 * <pre>{@code
 * Manifest manifest = Manifest.parse(Files.readAllBytes(file), file.toString());
 * Application app = manifest.load(classLoader, "my-app.jar");
 * }</pre>
 *
 * <p>Parsing is strict: unknown fields, wrong types, missing fields and duplicate keys are refused
 * with a {@link ManifestException} naming the JSON path of the problem.
 *
 * @param source where the manifest came from, for error messages
 * @param name the application's name
 * @param main the Worker class name, or empty for the default router
 * @param bindings the {@code durable_objects.bindings}, in order
 * @param vars the variables
 * @param migrations the migrations, in order
 */
public record Manifest(
    String source,
    String name,
    Optional<String> main,
    List<Binding> bindings,
    Map<String, String> vars,
    List<Migration> migrations) {

  /**
   * One {@code durable_objects.bindings} entry.
   *
   * @param name the binding name
   * @param className the fully qualified class name
   */
  public record Binding(String name, String className) {}

  /**
   * One migration, with Cloudflare's fields (see {@code docs/migrations.md}). Within a migration
   * the changes apply in the order new, renamed, deleted, transferred.
   *
   * @param tag its unique tag
   * @param newClasses the classes it introduces (each gets a new, empty namespace)
   * @param renamedClasses classes that take a new name and keep their objects
   * @param deletedClasses classes whose objects are removed
   * @param transferredClasses classes whose objects move here from another application
   */
  public record Migration(
      String tag,
      List<String> newClasses,
      List<RenamedClass> renamedClasses,
      List<String> deletedClasses,
      List<TransferredClass> transferredClasses) {

    /** Copies the lists. */
    public Migration {
      newClasses = List.copyOf(newClasses);
      renamedClasses = List.copyOf(renamedClasses);
      deletedClasses = List.copyOf(deletedClasses);
      transferredClasses = List.copyOf(transferredClasses);
    }

    /**
     * A migration that only introduces classes.
     *
     * @param tag its unique tag
     * @param newClasses the classes it introduces
     */
    public Migration(String tag, List<String> newClasses) {
      this(tag, newClasses, List.of(), List.of(), List.of());
    }
  }

  /**
   * A {@code renamed_classes} entry: the objects of {@code from} belong to {@code to} from now on.
   *
   * @param from the class's name so far
   * @param to its new name
   */
  public record RenamedClass(String from, String to) {}

  /**
   * A {@code transferred_classes} entry: the objects of class {@code from} of application {@code
   * fromScript} (in the same database) belong to this application's class {@code to}.
   *
   * @param from the class in the other application
   * @param fromScript the other application's name
   * @param to the class in this application
   */
  public record TransferredClass(String from, String fromScript, String to) {}

  /** Copies the collections. */
  public Manifest {
    bindings = List.copyOf(bindings);
    vars = Map.copyOf(vars);
    migrations = List.copyOf(migrations);
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern CLASS_NAME =
      Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
  private static final Pattern BINDING = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,62}");

  /**
   * Parses and checks a manifest (without loading its classes).
   *
   * @param json the file's bytes
   * @param source where it came from, e.g. {@code my-app.jar!/duro.json}
   * @return the manifest
   * @throws ManifestException naming the JSON path of the first problem
   */
  public static Manifest parse(byte[] json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line " + e.getLocation().getLineNr() + ", column "
                  + e.getLocation().getColumnNr();
      throw new ManifestException(
          source, "", "not valid JSON" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ManifestException(source, "", "cannot be read: " + e.getMessage(), e);
    }
    return new Reader(source).manifest(root);
  }

  /**
   * Loads the manifest's classes and makes the application.
   *
   * @param loader the class loader of the application's classes
   * @param classSource where the classes come from, for messages (e.g. {@code my-app.jar} or
   *     {@code the node's class path})
   * @return the application
   * @throws ManifestException naming the JSON path of a class that is missing or unusable
   */
  public Application load(ClassLoader loader, String classSource) {
    List<ObjectBinding> objects = new ArrayList<>();
    for (int i = 0; i < bindings.size(); i++) {
      Binding b = bindings.get(i);
      String path = "durable_objects.bindings[" + i + "].class_name";
      Class<?> type = loadClass(loader, b.className(), path, classSource);
      if (!DurableObject.class.isAssignableFrom(type)) {
        throw error(path, "class " + type.getName() + " does not implement "
            + DurableObject.class.getName() + hintIfCopied(type, DurableObject.class));
      }
      if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
        throw error(path, "class " + type.getName()
            + " is abstract; bind a concrete class implementing DurableObject");
      }
      if (!Modifier.isPublic(type.getModifiers())) {
        throw error(path, "class " + type.getName() + " must be public");
      }
      @SuppressWarnings("unchecked")
      Class<? extends DurableObject> objectClass = (Class<? extends DurableObject>) type;
      try {
        objects.add(ObjectBinding.of(b.name(), objectClass));
      } catch (IllegalArgumentException e) {
        throw error(path, e.getMessage());
      }
    }
    Optional<Class<? extends Worker>> worker = Optional.empty();
    if (main.isPresent()) {
      Class<?> type = loadClass(loader, main.get(), "main", classSource);
      if (!Worker.class.isAssignableFrom(type)) {
        throw error("main", "class " + type.getName() + " does not implement "
            + Worker.class.getName() + hintIfCopied(type, Worker.class));
      }
      try {
        Application.workerConstructor(type.asSubclass(Worker.class));
      } catch (IllegalArgumentException e) {
        throw error("main", e.getMessage());
      }
      worker = Optional.of(type.asSubclass(Worker.class));
    }
    return new Application(name, objects, vars, worker, migrations);
  }

  /**
   * Loads an application jar: its {@code duro.json} at the jar's root, its classes in a new class
   * loader whose parent is {@code parent} (so they see duro-api from the node). The loader stays
   * open for the life of the node.
   *
   * @param jar the jar
   * @param parent the node's class loader
   * @return the application
   * @throws ManifestException if the jar has no usable manifest or a class is missing or unusable
   */
  public static Application loadJar(Path jar, ClassLoader parent) {
    String jarName = jar.getFileName().toString();
    String source = jarName + "!/duro.json";
    byte[] json;
    try (JarFile file = new JarFile(jar.toFile())) {
      JarEntry entry = file.getJarEntry("duro.json");
      if (entry == null) {
        throw new ManifestException(source, "", "the jar has no duro.json at its root; put it in"
            + " src/main/resources/duro.json of the application's Maven project", null);
      }
      try (InputStream in = file.getInputStream(entry)) {
        json = in.readAllBytes();
      }
    } catch (IOException e) {
      throw new ManifestException(jar.toString(), "", "cannot be read as a jar: " + e, e);
    }
    URLClassLoader loader;
    try {
      loader = new URLClassLoader("duro-app:" + jarName,
          new URL[] {jar.toAbsolutePath().toUri().toURL()}, parent);
    } catch (IOException e) {
      throw new ManifestException(jar.toString(), "", "cannot be opened: " + e, e);
    }
    return parse(json, source).load(loader, jarName);
  }

  /**
   * Loads a manifest file whose classes are on the class path of {@code loader}.
   *
   * @param file the {@code duro.json}
   * @param loader where the classes are
   * @return the application
   * @throws ManifestException if the file cannot be read or used
   */
  public static Application loadFile(Path file, ClassLoader loader) {
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ManifestException(file.toString(), "", "cannot be read: " + e, e);
    }
    return parse(json, file.toString()).load(loader, "the node's class path");
  }

  private Class<?> loadClass(ClassLoader loader, String className, String path, String where) {
    try {
      return Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw error(path, "class " + className + " not found in " + where, e);
    } catch (LinkageError e) {
      throw error(path, "class " + className + " cannot be loaded from " + where + ": " + e, e);
    }
  }

  /** A class that implements a copy of a Duro interface (e.g. a jar that bundles duro-api). */
  private static String hintIfCopied(Class<?> type, Class<?> expected) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        if (i.getName().equals(expected.getName())) {
          return " from the node's class loader (the jar bundles its own copy of duro-api;"
              + " declare duro-api with <scope>provided</scope>)";
        }
      }
    }
    return "";
  }

  private ManifestException error(String path, String problem) {
    return new ManifestException(source, path, problem, null);
  }

  private ManifestException error(String path, String problem, Throwable cause) {
    return new ManifestException(source, path, problem, cause);
  }

  /** Walks the JSON tree, checking each field with its path. */
  private static final class Reader {
    private final String source;

    Reader(String source) {
      this.source = source;
    }

    Manifest manifest(JsonNode root) {
      object(root, "", "the manifest");
      fields(root, "", Set.of("$schema", "name", "main", "durable_objects", "vars", "migrations"),
          Set.of("name"));
      String name = string(root.get("name"), "name");
      if (!APP_NAME.matcher(name).matches()) {
        throw error("name", "an application name is a letter or digit followed by up to 63"
            + " letters, digits, '.', '_' or '-'; got '" + name + "'");
      }
      Optional<String> main = Optional.empty();
      if (root.has("main")) {
        main = Optional.of(className(root.get("main"), "main"));
      }
      List<Binding> bindings = new ArrayList<>();
      JsonNode objects = root.get("durable_objects");
      if (objects != null) {
        object(objects, "durable_objects", "an object with a \"bindings\" array");
        fields(objects, "durable_objects", Set.of("bindings"), Set.of("bindings"));
        JsonNode array = objects.get("bindings");
        array(array, "durable_objects.bindings");
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
          String path = "durable_objects.bindings[" + i + "]";
          JsonNode b = array.get(i);
          object(b, path, "an object {\"name\": ..., \"class_name\": ...}");
          fields(b, path, Set.of("name", "class_name"), Set.of("name", "class_name"));
          String bindingName = string(b.get("name"), path + ".name");
          if (!BINDING.matcher(bindingName).matches()) {
            throw error(path + ".name", "a binding name is a letter followed by up to 62"
                + " letters, digits, '_' or '-'; got '" + bindingName + "'");
          }
          Integer previous = seen.putIfAbsent(bindingName, i);
          if (previous != null) {
            throw error(path + ".name", "binding '" + bindingName
                + "' is already declared at durable_objects.bindings[" + previous
                + "]; binding names must be unique");
          }
          bindings.add(new Binding(bindingName, className(b.get("class_name"),
              path + ".class_name")));
        }
      }
      Map<String, String> vars = new LinkedHashMap<>();
      JsonNode varsNode = root.get("vars");
      if (varsNode != null) {
        object(varsNode, "vars", "an object of string values");
        for (Iterator<Map.Entry<String, JsonNode>> it = varsNode.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          vars.put(e.getKey(), string(e.getValue(), "vars." + e.getKey()));
        }
      }
      List<Migration> migrations = new ArrayList<>();
      JsonNode migrationsNode = root.get("migrations");
      if (migrationsNode != null) {
        array(migrationsNode, "migrations");
        for (int i = 0; i < migrationsNode.size(); i++) {
          migrations.add(migration(migrationsNode.get(i), "migrations[" + i + "]"));
        }
      }
      MigrationRules.check(
          name, migrations, bindings.stream().map(Binding::className).toList(), this::error);
      if (bindings.isEmpty() && main.isEmpty()) {
        throw error("", "the manifest declares neither durable_objects.bindings nor main;"
            + " there is nothing to serve");
      }
      return new Manifest(source, name, main, bindings, vars, migrations);
    }

    private Migration migration(JsonNode m, String path) {
      object(m, path, "an object {\"tag\": ..., \"new_classes\": [...], ...}");
      fields(m, path, Set.of("tag", "new_classes", "renamed_classes", "deleted_classes",
          "transferred_classes"), Set.of("tag"));
      String tag = string(m.get("tag"), path + ".tag");
      if (tag.isBlank() || tag.length() > MigrationRules.MAX_TAG_LENGTH) {
        throw error(path + ".tag", "a migration tag is a non-blank string of at most "
            + MigrationRules.MAX_TAG_LENGTH + " characters; got '" + tag + "'");
      }
      List<String> newClasses = classList(m.get("new_classes"), path + ".new_classes");
      List<String> deleted = classList(m.get("deleted_classes"), path + ".deleted_classes");
      List<RenamedClass> renamed = new ArrayList<>();
      JsonNode renamedNode = m.get("renamed_classes");
      if (renamedNode != null) {
        array(renamedNode, path + ".renamed_classes");
        for (int j = 0; j < renamedNode.size(); j++) {
          String p = path + ".renamed_classes[" + j + "]";
          JsonNode r = renamedNode.get(j);
          object(r, p, "an object {\"from\": \"<old class>\", \"to\": \"<new class>\"}");
          fields(r, p, Set.of("from", "to"), Set.of("from", "to"));
          renamed.add(new RenamedClass(className(r.get("from"), p + ".from"),
              className(r.get("to"), p + ".to")));
        }
      }
      List<TransferredClass> transferred = new ArrayList<>();
      JsonNode transferredNode = m.get("transferred_classes");
      if (transferredNode != null) {
        array(transferredNode, path + ".transferred_classes");
        for (int j = 0; j < transferredNode.size(); j++) {
          String p = path + ".transferred_classes[" + j + "]";
          JsonNode t = transferredNode.get(j);
          object(t, p, "an object {\"from\": \"<class>\", \"from_script\": \"<application>\","
              + " \"to\": \"<class>\"}");
          fields(t, p, Set.of("from", "from_script", "to"), Set.of("from", "from_script", "to"));
          String fromScript = string(t.get("from_script"), p + ".from_script");
          if (!APP_NAME.matcher(fromScript).matches()) {
            throw error(p + ".from_script", "from_script is the name of another application"
                + " (its duro.json \"name\"); got '" + fromScript + "'");
          }
          transferred.add(new TransferredClass(className(t.get("from"), p + ".from"), fromScript,
              className(t.get("to"), p + ".to")));
        }
      }
      return new Migration(tag, newClasses, renamed, deleted, transferred);
    }

    private List<String> classList(JsonNode node, String path) {
      List<String> classes = new ArrayList<>();
      if (node == null) {
        return classes;
      }
      array(node, path);
      for (int j = 0; j < node.size(); j++) {
        classes.add(className(node.get(j), path + "[" + j + "]"));
      }
      return classes;
    }

    private void object(JsonNode node, String path, String expected) {
      if (node == null || !node.isObject()) {
        throw error(path, "expected " + expected + ", got " + describe(node));
      }
    }

    private void array(JsonNode node, String path) {
      if (node == null || !node.isArray()) {
        throw error(path, "expected an array, got " + describe(node));
      }
    }

    private String string(JsonNode node, String path) {
      if (node == null || !node.isTextual()) {
        throw error(path, "expected a string, got " + describe(node));
      }
      return node.asText();
    }

    private String className(JsonNode node, String path) {
      String c = string(node, path);
      if (!CLASS_NAME.matcher(c).matches()) {
        throw error(path, "'" + c + "' is not a fully qualified Java class name"
            + " (e.g. com.example.Counter)");
      }
      return c;
    }

    private void fields(JsonNode node, String path, Set<String> allowed, Set<String> required) {
      String prefix = path.isEmpty() ? "" : path + ".";
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) {
          throw error(prefix + f, "unknown field; allowed here: "
              + String.join(", ", allowed.stream().sorted().toList()));
        }
      }
      for (String f : required.stream().sorted().toList()) {
        if (!node.has(f)) {
          throw error(prefix + f, "missing required field");
        }
      }
    }

    private static String describe(JsonNode node) {
      if (node == null || node.isMissingNode()) {
        return "nothing";
      }
      String kind = node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
      String text = node.toString();
      return kind + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }

    private ManifestException error(String path, String problem) {
      return new ManifestException(source, path, problem, null);
    }
  }
}

package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Worker;
import io.duro.runtime.migrations.Manifest;
import io.duro.runtime.migrations.ManifestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Manifest}: strict parsing, class checks, and errors that name the JSON path. */
class ManifestTest {

  /** A valid object class. */
  public static final class Room implements DurableObject {
    public Room(DurableObjectState state, Env env) {}

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return Response.text("room").completed();
    }
  }

  /** An object class without the (DurableObjectState, Env) constructor. */
  public static final class NoConstructor implements DurableObject {
    public NoConstructor(String s) {}

    @Override
    public CompletionStage<Response> fetch(Request request) {
      return Response.text("x").completed();
    }
  }

  /** A valid Worker. */
  public static final class Router implements Worker {
    @Override
    public CompletionStage<Response> fetch(Request request, Env env) {
      return Response.text("routed").completed();
    }
  }

  /** A Worker without a no-argument constructor. */
  public static final class RouterWithArgs implements Worker {
    public RouterWithArgs(String s) {}

    @Override
    public CompletionStage<Response> fetch(Request request, Env env) {
      return Response.text("routed").completed();
    }
  }

  private static final String ROOM = Room.class.getName();

  private static String valid() {
    return """
        {
          "$schema": "./duro.schema.json",
          "name": "chat",
          "main": "%s",
          "durable_objects": {"bindings": [{"name": "ROOMS", "class_name": "%s"}]},
          "vars": {"GREETING": "hi"},
          "migrations": [{"tag": "v1", "new_classes": ["%s"]}]
        }
        """
        .formatted(Router.class.getName(), ROOM, ROOM);
  }

  private static Manifest parse(String json) {
    return Manifest.parse(json.getBytes(StandardCharsets.UTF_8), "duro.json");
  }

  private static ManifestException refused(String json) {
    return assertThrows(
        ManifestException.class,
        () -> parse(json).load(ManifestTest.class.getClassLoader(), "app.jar"));
  }

  private static String withBindings(String bindings, String migrations) {
    return "{\"name\": \"a\", \"durable_objects\": {\"bindings\": " + bindings
        + "}, \"migrations\": " + migrations + "}";
  }

  private static String oneBinding(String className) {
    return withBindings(
        "[{\"name\": \"X\", \"class_name\": \"" + className + "\"}]",
        "[{\"tag\": \"v1\", \"new_classes\": [\"" + className + "\"]}]");
  }

  @Test
  void validManifestGivesAnApplicationWithBindingsVarsAndWorker() {
    Application app = parse(valid()).load(getClass().getClassLoader(), "app.jar");
    assertEquals("chat", app.name());
    assertEquals(Room.class, app.binding("ROOMS").orElseThrow().objectClass());
    assertEquals(Map.of("GREETING", "hi"), app.vars());
    assertEquals(Optional.of(Router.class), app.worker());
  }

  @Test
  void manifestWithoutMainOrVarsUsesTheDefaultRouter() {
    Application app = parse(oneBinding(ROOM)).load(getClass().getClassLoader(), "app.jar");
    assertEquals(Optional.empty(), app.worker());
    assertEquals(Map.of(), app.vars());
  }

  @Test
  void malformedJsonIsRefusedWithItsLineAndColumn() {
    ManifestException e = refused("{\"name\": \"a\",\n  \"durable_objects\": {]}");
    assertTrue(e.getMessage().startsWith("duro.json: not valid JSON at line 2"), e.getMessage());
  }

  @Test
  void duplicateKeyIsRefusedAsMalformed() {
    ManifestException e = refused("{\"name\": \"a\", \"name\": \"b\"}");
    assertTrue(e.getMessage().contains("Duplicate field 'name'"), e.getMessage());
  }

  @Test
  void emptyFileIsRefused() {
    assertTrue(refused("").getMessage().contains("expected the manifest"));
  }

  @Test
  void unknownTopLevelFieldIsRefusedByPath() {
    ManifestException e = refused(valid().replace("\"vars\"", "\"varz\""));
    assertEquals("varz", e.path());
    assertTrue(e.getMessage().contains("unknown field"), e.getMessage());
  }

  @Test
  void unknownFieldInABindingIsRefusedByPath() {
    ManifestException e =
        refused(withBindings(
            "[{\"name\": \"X\", \"class_name\": \"" + ROOM + "\", \"script_name\": \"w\"}]",
            "[]"));
    assertEquals("durable_objects.bindings[0].script_name", e.path());
  }

  @Test
  void wrongTypesAreRefusedByPath() {
    assertEquals("name", refused("{\"name\": 3}").path());
    assertEquals("vars.GREETING", refused(valid().replace("\"hi\"", "42")).path());
    assertEquals(
        "durable_objects.bindings",
        refused("{\"name\": \"a\", \"durable_objects\": {\"bindings\": {}}}").path());
    assertEquals(
        "migrations[0].new_classes",
        refused(valid().replace("\"new_classes\": [\"" + ROOM + "\"]", "\"new_classes\": \"x\""))
            .path());
    ManifestException e = refused(valid().replace("\"hi\"", "42"));
    assertTrue(e.getMessage().contains("expected a string, got number 42"), e.getMessage());
  }

  @Test
  void missingFieldsAreRefusedByPath() {
    assertEquals("name", refused("{}").path());
    ManifestException e = refused(withBindings("[{\"name\": \"X\"}]", "[]"));
    assertEquals("durable_objects.bindings[0].class_name", e.path());
    assertTrue(e.getMessage().contains("missing required field"), e.getMessage());
    assertEquals("migrations[0].tag",
        refused(withBindings("[]", "[{\"new_classes\": []}]")).path());
  }

  @Test
  void duplicateBindingNameIsRefusedNamingTheFirst() {
    ManifestException e =
        refused(withBindings(
            "[{\"name\": \"X\", \"class_name\": \"" + ROOM + "\"},"
                + " {\"name\": \"X\", \"class_name\": \"" + ROOM + "\"}]",
            "[{\"tag\": \"v1\", \"new_classes\": [\"" + ROOM + "\"]}]"));
    assertEquals("durable_objects.bindings[1].name", e.path());
    assertTrue(e.getMessage().contains("already declared at durable_objects.bindings[0]"));
  }

  @Test
  void missingClassIsRefusedNamingTheClassAndTheJar() {
    ManifestException e = refused(oneBinding("com.x.Room"));
    assertEquals(
        "duro.json: durable_objects.bindings[0].class_name: class com.x.Room not found in app.jar",
        e.getMessage());
  }

  @Test
  void classNotImplementingDurableObjectIsRefused() {
    ManifestException e = refused(oneBinding(String.class.getName()));
    assertTrue(e.getMessage().contains("does not implement io.duro.api.DurableObject"));
  }

  @Test
  void classWithoutTheStateEnvConstructorIsRefused() {
    ManifestException e = refused(oneBinding(NoConstructor.class.getName()));
    assertEquals("durable_objects.bindings[0].class_name", e.path());
    assertTrue(e.getMessage().contains("(DurableObjectState state, Env env)"), e.getMessage());
  }

  @Test
  void boundClassNotIntroducedByAMigrationIsRefusedWithTheFix() {
    ManifestException e =
        refused(withBindings("[{\"name\": \"X\", \"class_name\": \"" + ROOM + "\"}]", "[]"));
    assertEquals("durable_objects.bindings[0].class_name", e.path());
    assertTrue(e.getMessage().contains("not introduced by any migration"), e.getMessage());
    assertTrue(e.getMessage().contains("new_classes"), e.getMessage());
  }

  @Test
  void duplicateMigrationTagIsRefused() {
    ManifestException e =
        refused(withBindings("[]",
            "[{\"tag\": \"v1\", \"new_classes\": []}, {\"tag\": \"v1\", \"new_classes\": []}]"));
    assertEquals("migrations[1].tag", e.path());
  }

  private static String bound(String className, String migrations) {
    return withBindings("[{\"name\": \"X\", \"class_name\": \"" + className + "\"}]",
        migrations);
  }

  @Test
  void renamedDeletedAndTransferredClassesAreParsedInOrder() {
    Manifest m = parse(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["a.Old", "a.Gone"]},
         {"tag": "v2", "renamed_classes": [{"from": "a.Old", "to": "%s"}],
          "deleted_classes": ["a.Gone"],
          "transferred_classes":
            [{"from": "b.Theirs", "from_script": "other-app", "to": "a.Mine"}]}]
        """.formatted(ROOM)));
    Manifest.Migration v2 = m.migrations().get(1);
    assertEquals(List.of(new Manifest.RenamedClass("a.Old", ROOM)), v2.renamedClasses());
    assertEquals(List.of("a.Gone"), v2.deletedClasses());
    assertEquals(List.of(new Manifest.TransferredClass("b.Theirs", "other-app", "a.Mine")),
        v2.transferredClasses());
    assertEquals(List.of(), v2.newClasses());
  }

  @Test
  void renameOfAClassThatNoMigrationIntroducedIsRefusedNamingTheEntry() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["%s"]},
         {"tag": "v2", "renamed_classes": [{"from": "a.Never", "to": "a.New"}]}]
        """.formatted(ROOM)));
    assertEquals("migrations[1].renamed_classes[0].from", e.path());
    assertTrue(e.getMessage().contains("class a.Never cannot be renamed by migration 'v2'"),
        e.getMessage());
  }

  @Test
  void renameToAClassThatExistsIsRefused() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["%s", "a.Other"]},
         {"tag": "v2", "renamed_classes": [{"from": "a.Other", "to": "%s"}]}]
        """.formatted(ROOM, ROOM)));
    assertEquals("migrations[1].renamed_classes[0].to", e.path());
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
  }

  @Test
  void deletingAClassThatIsStillBoundIsRefusedNamingTheTag() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["%s"]}, {"tag": "v2", "deleted_classes": ["%s"]}]
        """.formatted(ROOM, ROOM)));
    assertEquals("durable_objects.bindings[0].class_name", e.path());
    assertTrue(e.getMessage().contains("is still bound but was deleted by migration 'v2'"),
        e.getMessage());
  }

  @Test
  void bindingTheOldNameOfARenamedClassIsRefusedNamingTheNewOne() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["%s"]},
         {"tag": "v2", "renamed_classes": [{"from": "%s", "to": "a.Renamed"}]}]
        """.formatted(ROOM, ROOM)));
    assertEquals("durable_objects.bindings[0].class_name", e.path());
    assertTrue(e.getMessage().contains("renamed to a.Renamed by migration 'v2'"), e.getMessage());
  }

  @Test
  void deletingAClassTwiceIsRefused() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["%s", "a.X"]}, {"tag": "v2", "deleted_classes": ["a.X"]},
         {"tag": "v3", "deleted_classes": ["a.X"]}]
        """.formatted(ROOM)));
    assertEquals("migrations[2].deleted_classes[0]", e.path());
    assertTrue(e.getMessage().contains("it was deleted by migration 'v2'"), e.getMessage());
  }

  @Test
  void transferFromThisApplicationIsRefused() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "transferred_classes": [{"from": "a.X", "from_script": "a", "to": "%s"}]}]
        """.formatted(ROOM)));
    assertEquals("migrations[0].transferred_classes[0].from_script", e.path());
    assertTrue(e.getMessage().contains("use renamed_classes"), e.getMessage());
  }

  @Test
  void transferEntryWithoutFromScriptIsRefused() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "transferred_classes": [{"from": "a.X", "to": "%s"}]}]
        """.formatted(ROOM)));
    assertEquals("migrations[0].transferred_classes[0].from_script", e.path());
    assertTrue(e.getMessage().contains("missing required field"), e.getMessage());
  }

  @Test
  void renameEntryWithAnUnknownFieldIsRefused() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["%s", "a.X"]},
         {"tag": "v2", "renamed_classes": [{"from": "a.X", "into": "a.Y"}]}]
        """.formatted(ROOM)));
    assertEquals("migrations[1].renamed_classes[0].into", e.path());
  }

  @Test
  void migrationWithABlankOrMissingTagIsRefused() {
    assertEquals("migrations[0].tag",
        refused(bound(ROOM, "[{\"tag\": \" \", \"new_classes\": [\"" + ROOM + "\"]}]")).path());
    assertEquals("migrations[0].tag",
        refused(bound(ROOM, "[{\"new_classes\": [\"" + ROOM + "\"]}]")).path());
  }

  @Test
  void deletedClassesMustBeClassNames() {
    ManifestException e = refused(bound(ROOM, """
        [{"tag": "v1", "new_classes": ["%s"], "deleted_classes": [42]}]
        """.formatted(ROOM)));
    assertEquals("migrations[0].deleted_classes[0]", e.path());
    assertTrue(e.getMessage().contains("expected a string, got number 42"), e.getMessage());
  }

  @Test
  void applicationMadeInCodeChecksItsMigrationsToo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Application.of(ObjectBinding.of("x", Room.class)).withMigrations(List.of(
            new Manifest.Migration("v1", List.of(ROOM)),
            new Manifest.Migration("v2", List.of(), List.of(), List.of(ROOM), List.of()))));
    assertTrue(e.getMessage().contains("still bound but was deleted by migration 'v2'"),
        e.getMessage());
  }

  @Test
  void mainThatIsNotAWorkerIsRefused() {
    ManifestException e = refused(valid().replace(Router.class.getName(), ROOM));
    assertEquals("main", e.path());
    assertTrue(e.getMessage().contains("does not implement io.duro.api.Worker"), e.getMessage());
  }

  @Test
  void workerWithoutANoArgumentConstructorIsRefused() {
    ManifestException e =
        refused(valid().replace(Router.class.getName(), RouterWithArgs.class.getName()));
    assertEquals("main", e.path());
    assertTrue(e.getMessage().contains("no-argument constructor"), e.getMessage());
  }

  @Test
  void manifestWithNothingToServeIsRefused() {
    assertTrue(refused("{\"name\": \"a\"}").getMessage().contains("nothing to serve"));
  }

  @Test
  void badBindingNameIsRefused() {
    ManifestException e =
        refused(withBindings("[{\"name\": \"1x\", \"class_name\": \"" + ROOM + "\"}]", "[]"));
    assertEquals("durable_objects.bindings[0].name", e.path());
  }

  @Test
  void migrationsKeepTheirOrder() {
    Manifest m = parse(valid().replace("}]\n", "}, {\"tag\": \"v2\", \"new_classes\": []}]\n"));
    assertEquals(List.of("v1", "v2"), m.migrations().stream().map(Manifest.Migration::tag).toList());
  }

  @TempDir Path temp;

  private Path jarWith(String name, String duroJson) throws IOException {
    Path jar = temp.resolve(name);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      if (duroJson != null) {
        out.putNextEntry(new JarEntry("duro.json"));
        out.write(duroJson.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void jarWithoutDuroJsonAtItsRootIsRefused() throws IOException {
    Path jar = jarWith("empty.jar", null);
    ManifestException e =
        assertThrows(
            ManifestException.class, () -> Manifest.loadJar(jar, getClass().getClassLoader()));
    assertTrue(e.getMessage().startsWith("empty.jar!/duro.json: the jar has no duro.json"),
        e.getMessage());
  }

  @Test
  void jarClassesLoadInTheirOwnLoaderThatSeesTheNodesClassesThroughItsParent()
      throws IOException {
    Path jar = jarWith("app.jar", valid());
    Application app = Manifest.loadJar(jar, getClass().getClassLoader());
    // Room is not in the jar: it is found through the parent, the way duro-api is.
    assertEquals(Room.class, app.binding("ROOMS").orElseThrow().objectClass());
    assertEquals("chat", app.name());
  }

  @Test
  void missingManifestFileIsRefusedNamingIt() {
    Path file = temp.resolve("nope.json");
    ManifestException e =
        assertThrows(
            ManifestException.class, () -> Manifest.loadFile(file, getClass().getClassLoader()));
    assertTrue(e.getMessage().contains("nope.json: cannot be read"), e.getMessage());
  }
}

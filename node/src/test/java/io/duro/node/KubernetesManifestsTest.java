package io.duro.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import io.duro.runtime.Application;
import io.duro.server.DuroConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests in {@code k8s/} are valid Kubernetes objects (no unknown field anywhere, the
 * required ones present, checked with fabric8's model classes of the Kubernetes API), they agree
 * with each other (selectors, port names, RBAC subjects) and with the node (its flags, its
 * configuration, the application manifest, the shutdown timeouts). The kustomize output of the
 * base and of the PostgreSQL overlay is checked when {@code kubectl} is installed; the base's
 * files are checked in any case.
 */
class KubernetesManifestsTest {

  static final Path K8S = Path.of("../k8s");

  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "Deployment", Deployment.class,
          "Service", Service.class,
          "ServiceAccount", ServiceAccount.class,
          "Role", Role.class,
          "RoleBinding", RoleBinding.class,
          "PodDisruptionBudget", PodDisruptionBudget.class,
          "ConfigMap", ConfigMap.class);

  static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  @TempDir Path temp;

  // ---- reading and schema checks ---------------------------------------------------------------

  /** Every object of a multi-document YAML text, as fabric8's typed model. */
  static List<HasMetadata> parse(String yaml, String source) throws Exception {
    List<HasMetadata> objects = new ArrayList<>();
    for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
      if (doc == null || doc.isEmpty()) {
        continue;
      }
      String kind = doc.path("kind").asText();
      Class<? extends HasMetadata> type = KINDS.get(kind);
      assertNotNull(type, source + ": unexpected kind '" + kind + "'");
      HasMetadata object = YAML.treeToValue(doc, type);
      String where = source + " " + kind + "/" + object.getMetadata().getName();
      assertEquals(
          HasMetadata.getApiVersion(type), object.getApiVersion(), where + ": apiVersion");
      assertFalse(
          object.getMetadata().getName() == null || object.getMetadata().getName().isBlank(),
          where + ": metadata.name is required");
      List<String> unknown = new ArrayList<>();
      unknownFields(object, kind, unknown);
      assertTrue(
          unknown.isEmpty(), where + ": fields the Kubernetes API does not know: " + unknown);
      objects.add(object);
    }
    return objects;
  }

  /**
   * fabric8's model keeps fields it does not know in {@code additionalProperties} instead of
   * failing; any entry there, at any depth, is a misspelt or misplaced field.
   */
  static void unknownFields(Object o, String path, List<String> problems) {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", problems);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : o.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class
          || java.lang.reflect.Modifier.isStatic(getter.getModifiers())) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(o);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new AssertionError(path + ": " + getter, e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problems.add(path + ": " + extra.keySet());
        }
      } else {
        unknownFields(value, path + "." + getter.getName().substring(3), problems);
      }
    }
  }

  @SuppressWarnings("unchecked")
  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
    return (T)
        objects.stream()
            // kustomize appends a hash to generated ConfigMaps' names
            .filter(
                o ->
                    type.isInstance(o)
                        && (o.getMetadata().getName().equals(name)
                            || o.getMetadata().getName().matches(
                                java.util.regex.Pattern.quote(name) + "-[a-z0-9]{10}")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  /** The base's resources and its generated ConfigMap, read from the files themselves. */
  static List<HasMetadata> baseFromFiles() throws Exception {
    JsonNode kustomization = YAML.readTree(K8S.resolve("base/kustomization.yaml").toFile());
    List<HasMetadata> objects = new ArrayList<>();
    for (JsonNode resource : kustomization.get("resources")) {
      Path file = K8S.resolve("base").resolve(resource.asText());
      objects.addAll(parse(Files.readString(file), file.toString()));
    }
    for (JsonNode generator : kustomization.get("configMapGenerator")) {
      ConfigMap map = new ConfigMap();
      map.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
      map.getMetadata().setName(generator.get("name").asText());
      map.setData(new java.util.LinkedHashMap<>());
      for (JsonNode f : generator.get("files")) {
        map.getData().put(f.asText(), Files.readString(K8S.resolve("base").resolve(f.asText())));
      }
      objects.add(map);
    }
    return objects;
  }

  static String kustomize(String dir) throws Exception {
    Process p =
        new ProcessBuilder("kubectl", "kustomize", K8S.resolve(dir).toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize " + dir + " finished");
    assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + out);
    return out;
  }

  static boolean kubectlInstalled() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "kubectl"))) {
        return true;
      }
    }
    return false;
  }

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  void baseFilesAreValidKubernetesObjectsThatFitTogetherAndFitTheNode() throws Exception {
    checkBase(baseFromFiles());
  }

  @Test
  void kustomizeRendersTheBaseOfflineIntoTheSameValidObjects() throws Exception {
    assumeTrue(kubectlInstalled(), "kubectl is not installed: the rendered output is not checked"
        + " (the base's files are, by the other tests)");
    List<HasMetadata> rendered = parse(kustomize("base"), "kubectl kustomize k8s/base");
    checkBase(rendered);
    List<String> fromFiles = new ArrayList<>();
    baseFromFiles().forEach(o -> fromFiles.add(o.getKind() + "/" + o.getMetadata().getName()));
    List<String> names = new ArrayList<>();
    // kustomize appends a hash to the generated ConfigMap's name
    rendered.forEach(
        o ->
            names.add(
                o.getKind() + "/" + o.getMetadata().getName().replaceAll("-[a-z0-9]{10}$", "")));
    assertEquals(new TreeSet<>(fromFiles), new TreeSet<>(names), "the same objects as the files");
    assertEquals(8, rendered.size(), "the base renders 8 objects");
  }

  @Test
  void postgresOverlayGivesTheNodesTheDatabaseSettingsAndThePassword() throws Exception {
    assumeTrue(kubectlInstalled(), "kubectl is not installed: the overlay is not rendered");
    List<HasMetadata> rendered =
        parse(kustomize("overlays/postgres"), "kubectl kustomize k8s/overlays/postgres");
    checkBase(rendered);
    ConfigMap db = one(rendered, ConfigMap.class, "duro-postgres");
    assertTrue(db.getData().get("DURO_DB_URL").startsWith("jdbc:postgresql://"), "" + db);
    assertTrue(db.getData().containsKey("DURO_DB_USER"));
    Container duro =
        one(rendered, Deployment.class, "duro").getSpec().getTemplate().getSpec()
            .getContainers().get(0);
    assertEquals(
        db.getMetadata().getName(),
        duro.getEnvFrom().get(0).getConfigMapRef().getName(),
        "the Deployment uses the generated ConfigMap (its name has kustomize's hash)");
    EnvVar password =
        duro.getEnv().stream()
            .filter(e -> e.getName().equals("DURO_DB_PASSWORD"))
            .findFirst()
            .orElseThrow();
    assertEquals("duro-postgres", password.getValueFrom().getSecretKeyRef().getName());
    assertTrue(
        duro.getEnv().stream().anyMatch(e -> e.getName().equals("POD_NAME")),
        "the patch keeps the base's environment");
  }

  private void checkBase(List<HasMetadata> objects) throws Exception {
    Deployment deployment = one(objects, Deployment.class, "duro");
    var pod = deployment.getSpec().getTemplate();
    Map<String, String> podLabels = pod.getMetadata().getLabels();
    assertEquals(podLabels.get("app"), "duro", "pods labelled app=duro (bootstrap's selector)");
    assertTrue(
        podLabels.entrySet().containsAll(
            deployment.getSpec().getSelector().getMatchLabels().entrySet()),
        "the Deployment's selector matches its pods");
    var rolling = deployment.getSpec().getStrategy().getRollingUpdate();
    assertEquals(1, rolling.getMaxSurge().getIntVal());
    assertEquals(0, rolling.getMaxUnavailable().getIntVal());
    var spec = pod.getSpec();
    assertEquals(1, spec.getContainers().size());
    Container c = spec.getContainers().get(0);
    assertFalse(c.getName() == null || c.getImage() == null, "container name and image");
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (ContainerPort p : c.getPorts()) {
      assertTrue(p.getContainerPort() != null && p.getContainerPort() > 0, "containerPort " + p);
      ports.put(p.getName(), p.getContainerPort());
    }
    assertEquals(Set.of("http", "remoting", "management"), ports.keySet());
    for (Probe probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
      assertEquals("management", probe.getHttpGet().getPort().getStrVal());
    }
    assertEquals("/ready", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/alive", c.getLivenessProbe().getHttpGet().getPath());
    for (String env : List.of("POD_NAME", "POD_NAMESPACE", "POD_IP")) {
      assertTrue(
          c.getEnv().stream()
              .anyMatch(e -> e.getName().equals(env) && e.getValueFrom().getFieldRef() != null),
          env + " from the downward API");
    }
    assertTrue(spec.getSecurityContext().getRunAsNonRoot(), "runAsNonRoot");

    // The node accepts the container's flags, with the ConfigMap's files as --config/--manifest.
    ConfigMap files = one(objects, ConfigMap.class, "duro-config");
    String conf =
        files.getData().get("duro.conf")
            .replace(
                "include file(\"/opt/duro/docker.conf\")",
                "include file(\"" + Path.of("../deploy/docker.conf").toAbsolutePath() + "\")");
    assertTrue(
        Files.readString(Path.of("../deploy/Dockerfile"))
            .contains("COPY deploy/postgres.conf deploy/docker.conf /opt/duro/"),
        "the image has the docker.conf that duro.conf includes");
    Path confFile = Files.writeString(temp.resolve("duro.conf"), conf);
    Path manifestFile =
        Files.writeString(temp.resolve("duro.json"), files.getData().get("duro.json"));
    String mount = spec.getVolumes().stream()
        .filter(v -> v.getConfigMap() != null).findFirst().orElseThrow().getName();
    String mountPath = c.getVolumeMounts().stream()
        .filter(m -> m.getName().equals(mount)).findFirst().orElseThrow().getMountPath();
    List<String> args = new ArrayList<>();
    for (String a : c.getArgs()) {
      args.add(
          a.equals(mountPath + "/duro.conf")
              ? confFile.toString()
              : a.equals(mountPath + "/duro.json") ? manifestFile.toString() : a);
    }
    assertFalse(args.equals(c.getArgs()), "--config and --manifest point into the ConfigMap");
    CommandLine cli = CommandLine.parse(args);
    Application app = Main.application(cli);
    assertTrue(app.bindings().size() > 0, "duro.json binds classes the image has");
    Config config = DuroConfig.load(Main.overlay(cli));
    assertEquals("kubernetes", config.getString("duro.cluster.discovery"));
    assertEquals(
        deployment.getSpec().getReplicas().intValue(),
        config.getInt("duro.kubernetes.required-contact-points"),
        "bootstrap forms a cluster only with all replicas");
    assertEquals(
        "management",
        config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));
    assertEquals(ports.get("http"), config.getInt("duro.gateway.port"));
    assertEquals(ports.get("management"), config.getInt("pekko.management.http.port"));
    assertEquals(ports.get("remoting"), config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(
        String.format(config.getString("duro.kubernetes.pod-label-selector"), "duro"),
        "app=" + podLabels.get("app"));
    assertTrue(config.getString("pekko-persistence-jdbc.shared-databases.duro.db.url")
        .startsWith("jdbc:postgresql:"), "PostgreSQL journal");

    // Long enough for the node to drain and hand its shards over before Kubernetes kills it.
    long preStop =
        Long.parseLong(
            String.join(" ", c.getLifecycle().getPreStop().getExec().getCommand())
                .replaceAll(".*sleep (\\d+).*", "$1"));
    String phases = "pekko.coordinated-shutdown.phases.";
    long shutdown = 0;
    for (String phase :
        List.of("service-requests-done", "cluster-sharding-shutdown-region", "cluster-leave",
            "cluster-exiting")) {
      String key = phases + phase + ".timeout";
      shutdown +=
          config.getDuration(
                  config.hasPath(key) ? key : "pekko.coordinated-shutdown.default-phase-timeout")
              .toSeconds();
    }
    long grace = spec.getTerminationGracePeriodSeconds();
    assertTrue(
        grace >= preStop + shutdown,
        "terminationGracePeriodSeconds " + grace + " < preStop " + preStop
            + " s + shutdown phases " + shutdown + " s");

    // Services: the gateway, and the headless one for the cluster.
    Service gateway = one(objects, Service.class, "duro");
    Service headless = one(objects, Service.class, "duro-cluster");
    assertEquals("None", headless.getSpec().getClusterIP(), "headless");
    assertTrue(headless.getSpec().getPublishNotReadyAddresses());
    for (Service s : List.of(gateway, headless)) {
      assertTrue(podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()));
      assertFalse(s.getSpec().getPorts().isEmpty());
      for (ServicePort p : s.getSpec().getPorts()) {
        assertTrue(p.getPort() != null && p.getPort() > 0, "port " + p);
        assertTrue(ports.containsKey(p.getTargetPort().getStrVal()), "targetPort " + p);
      }
    }

    // RBAC: exactly what bootstrap and the rolling update need, for the pods' account.
    ServiceAccount account = one(objects, ServiceAccount.class, "duro");
    assertEquals(account.getMetadata().getName(), spec.getServiceAccountName());
    Role role = one(objects, Role.class, "duro");
    Set<String> grants = new TreeSet<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    assertEquals(
        new TreeSet<>(
            List.of("/pods:get", "/pods:list", "/pods:watch", "/pods:patch",
                "apps/replicasets:get")),
        grants);
    RoleBinding binding = one(objects, RoleBinding.class, "duro");
    assertEquals("rbac.authorization.k8s.io", binding.getRoleRef().getApiGroup());
    assertEquals("Role", binding.getRoleRef().getKind());
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
    assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());

    PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class, "duro");
    assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
    assertTrue(
        podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
  }

  @Test
  void aMisspeltOrMisplacedFieldIsCaught() throws Exception {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: x
        spec:
          selector: {app: duro}
          ports:
            - port: 80
              targetPrt: http
        """;
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(
        AssertionError.class, () -> parse(yaml, "test"));
    assertTrue(e.getMessage().contains("targetPrt"), e.getMessage());
  }
}

package io.duro.runtime.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The few calls to the Kubernetes API that the rolling-update support makes, over HTTPS with the
 * pod's service account (its bearer token, its CA certificate), with the JDK's HTTP client.
 *
 * <p>{@link #connect} checks everything it can before the first call and fails with a message
 * naming the setting or file that is wrong; every failed call names the URL, the status and the
 * API server's own message.
 */
public final class KubernetesApi {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI base;
  private final String token;
  private final String namespace;
  private final Duration timeout;

  private KubernetesApi(
      HttpClient http, URI base, String token, String namespace, Duration timeout) {
    this.http = http;
    this.base = base;
    this.token = token;
    this.namespace = namespace;
    this.timeout = timeout;
  }

  /**
   * Prepares the client: reads the token, the CA certificate and the namespace.
   *
   * @param settings where the API server and the service account files are
   * @return the client
   * @throws KubernetesApiException naming what is missing or malformed
   */
  public static KubernetesApi connect(KubernetesSettings settings) {
    if (settings.apiHost().isEmpty()) {
      throw new KubernetesApiException(
          "the address of the Kubernetes API server is unknown: KUBERNETES_SERVICE_HOST is not"
              + " set (Kubernetes sets it in every pod) and duro.kubernetes.api-host is empty",
          0,
          null);
    }
    String token = readFile(settings.tokenPath(), "service account token", "api-token-path");
    if (token.isEmpty()) {
      throw new KubernetesApiException(
          "the service account token file " + settings.tokenPath() + " is empty", 0, null);
    }
    String namespace =
        settings.namespace().isEmpty()
            ? readFile(settings.namespacePath(), "namespace", "namespace-path")
            : settings.namespace();
    SSLContext ssl = trusting(settings.caPath());
    String host = settings.apiHost().contains(":") && !settings.apiHost().startsWith("[")
        ? "[" + settings.apiHost() + "]"
        : settings.apiHost();
    URI base = URI.create("https://" + host + ":" + settings.apiPort());
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .connectTimeout(settings.requestTimeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    return new KubernetesApi(http, base, token, namespace, settings.requestTimeout());
  }

  private static String readFile(Path path, String what, String key) {
    try {
      return Files.readString(path).trim();
    } catch (IOException e) {
      throw new KubernetesApiException(
          "the "
              + what
              + " cannot be read from "
              + path
              + " (duro.kubernetes."
              + key
              + "): "
              + e
              + "; is a service account mounted into the pod?",
          0,
          e);
    }
  }

  /** An SSL context that trusts exactly the certificates of a PEM file. */
  private static SSLContext trusting(Path caPath) {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(caPath)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new KubernetesApiException(
          "the Kubernetes CA certificate cannot be read from "
              + caPath
              + " (duro.kubernetes.api-ca-path): "
              + e,
          0,
          e);
    } catch (GeneralSecurityException e) {
      throw new KubernetesApiException(
          "the Kubernetes CA certificate file "
              + caPath
              + " (duro.kubernetes.api-ca-path) is not a PEM certificate: "
              + e.getMessage(),
          0,
          e);
    }
    if (certificates.isEmpty()) {
      throw new KubernetesApiException(
          "the Kubernetes CA certificate file "
              + caPath
              + " (duro.kubernetes.api-ca-path) holds no certificate",
          0,
          null);
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certificates) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, trust.getTrustManagers(), null);
      return ssl;
    } catch (GeneralSecurityException | IOException e) {
      throw new KubernetesApiException(
          "cannot trust the Kubernetes CA certificate " + caPath + ": " + e, 0, e);
    }
  }

  /**
   * The pod's namespace.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * The API server's address.
   *
   * @return e.g. {@code https://10.96.0.1:443}
   */
  public URI base() {
    return base;
  }

  /**
   * A pod of this namespace.
   *
   * @param name the pod's name
   * @return the pod as JSON
   * @throws KubernetesApiException when the call fails (404 when there is no such pod)
   */
  public JsonNode getPod(String name) {
    return get("/api/v1/namespaces/" + encode(namespace) + "/pods/" + encode(name));
  }

  /**
   * A ReplicaSet of this namespace.
   *
   * @param name the ReplicaSet's name
   * @return the ReplicaSet as JSON
   * @throws KubernetesApiException when the call fails (404 when there is no such ReplicaSet)
   */
  public JsonNode getReplicaSet(String name) {
    return get("/apis/apps/v1/namespaces/" + encode(namespace) + "/replicasets/" + encode(name));
  }

  /**
   * Sets annotations of a pod of this namespace (a JSON merge patch).
   *
   * @param pod the pod's name
   * @param annotations the annotations as a JSON object, e.g. {@code {"a":"1"}}
   * @return completes with the patched pod, or fails with a {@link KubernetesApiException}
   */
  public CompletionStage<JsonNode> annotatePod(String pod, JsonNode annotations) {
    String body =
        JSON.createObjectNode()
            .set("metadata", JSON.createObjectNode().set("annotations", annotations))
            .toString();
    HttpRequest request =
        request("/api/v1/namespaces/" + encode(namespace) + "/pods/" + encode(pod))
            .header("Content-Type", "application/merge-patch+json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle((response, error) -> answer(request, response, error));
  }

  private JsonNode get(String path) {
    HttpRequest request = request(path).GET().build();
    HttpResponse<String> response = null;
    Throwable error = null;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      error = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = e;
    }
    return answer(request, response, error);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private JsonNode answer(HttpRequest request, HttpResponse<String> response, Throwable error) {
    String call = request.method() + " " + request.uri();
    if (error != null) {
      Throwable cause = error instanceof java.util.concurrent.CompletionException
          && error.getCause() != null ? error.getCause() : error;
      throw new KubernetesApiException(
          "the Kubernetes API server at "
              + base
              + " cannot be reached ("
              + call
              + "): "
              + cause,
          0,
          cause);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      String message = response.body();
      try {
        JsonNode json = JSON.readTree(message);
        if (json.hasNonNull("message")) {
          message = json.get("message").asText();
        }
      } catch (IOException | RuntimeException e) {
        message = message.length() > 300 ? message.substring(0, 300) + "..." : message;
      }
      throw new KubernetesApiException(
          call
              + " answered "
              + status
              + (status == 403
                  ? " (forbidden: the pod's service account lacks an RBAC permission)"
                  : status == 401 ? " (unauthorized: the service account token was refused)" : "")
              + ": "
              + message,
          status,
          null);
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new KubernetesApiException(call + " answered with malformed JSON: " + e, status, e);
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }
}

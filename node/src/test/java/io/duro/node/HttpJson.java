package io.duro.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small HTTP client for tests of a node: the JDK's {@link HttpClient} (HTTP/1.1, loopback) and a
 * JSON reader for the answers. One instance is safe to share between threads.
 */
final class HttpJson {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final String base;
  private final Duration timeout;

  HttpJson(int port) {
    this(port, Duration.ofSeconds(30));
  }

  /** A client whose requests give up after {@code timeout}. */
  HttpJson(int port, Duration timeout) {
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.base = "http://127.0.0.1:" + port;
  }

  /** A response: status, body as text, and the body read as JSON. */
  record Answer(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("Not JSON (status " + status + "): " + body, e);
      }
    }

    long value() {
      JsonNode v = json().get("value");
      if (status != 200 || v == null || !v.canConvertToLong()) {
        throw new AssertionError("Expected 200 {\"value\": n}; got " + status + " " + body);
      }
      return v.asLong();
    }

    @Override
    public String toString() {
      return status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
  }

  Answer get(String path) throws IOException, InterruptedException {
    return send("GET", path, BodyPublishers.noBody());
  }

  Answer send(String method, String path, String body) throws IOException, InterruptedException {
    return send(method, path, BodyPublishers.ofString(body, StandardCharsets.UTF_8));
  }

  /** A POST without a body, with extra request headers given as name, value, name, value... */
  Answer post(String path, String... headers) throws IOException, InterruptedException {
    return send("POST", path, BodyPublishers.noBody(), headers);
  }

  Answer send(String method, String path, BodyPublisher body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .method(method, body);
    if (headers.length > 0) {
      builder.headers(headers);
    }
    HttpRequest request = builder.build();
    HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body(), response);
  }

  /** GET that never throws: -1 when nothing answers. */
  int statusOrMinusOne(String path) {
    try {
      return get(path).status();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted", e));
    }
  }
}

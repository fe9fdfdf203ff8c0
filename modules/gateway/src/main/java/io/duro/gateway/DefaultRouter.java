package io.duro.gateway;

import io.duro.api.DurableObjectId;
import io.duro.api.InvalidArgumentException;
import io.duro.api.Namespace;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.runtime.DuroRuntime;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The default router: {@code /{binding}/{name}/{rest…}} → {@code idFromName(name)},
 * {@code /{binding}/id/{hex}/{rest…}} → {@code idFromString(hex)}; the object sees {@code
 * /{rest…}}. A bad route throws the {@code DuroException} its error answer is made from.
 */
final class DefaultRouter {

  /** The request header that names the region of a new object (the default router's hint). */
  static final String LOCATION_HINT = "Duro-Location-Hint";

  private final DuroRuntime runtime;

  DefaultRouter(DuroRuntime runtime) {
    this.runtime = runtime;
  }

  /**
   * The object a request goes to, and the path it sees.
   *
   * @param namespace the binding's namespace
   * @param id the object
   * @param rest the object's path: what follows the name or ID
   */
  record Target(Namespace namespace, DurableObjectId id, String rest) {

    /** Sends the request to the object, in the region its location hint names, if any. */
    CompletionStage<Response> fetch(Request request) {
      List<String> hints = request.headers().all(LOCATION_HINT);
      if (hints.size() > 1) {
        throw new InvalidArgumentException(
            "Send at most one " + LOCATION_HINT + " header; " + hints.size() + " were sent: "
                + hints);
      }
      return (hints.isEmpty() ? namespace.get(id) : namespace.get(id, hints.get(0).trim()))
          .fetch(request);
    }
  }

  /** The default router: binding, then a name or {@code id/<hex>}, then the object's path. */
  Target resolve(String rawPath) {
    List<String> segments = new ArrayList<>(List.of(rawPath.split("/", -1)));
    if (!segments.isEmpty() && segments.get(0).isEmpty()) {
      segments.remove(0);
    }
    if (segments.isEmpty() || segments.get(0).isEmpty()) {
      throw notFound("No object route at " + rawPath + "; use /{binding}/{name}/... ");
    }
    String bindingName = decode(segments.get(0));
    Namespace namespace = runtime.namespace(bindingName);
    if (segments.size() < 2 || segments.get(1).isEmpty()) {
      throw notFound("Missing object name: use /" + bindingName + "/{name}/... or /"
          + bindingName + "/id/{hex}/...");
    }
    DurableObjectId id;
    int restStart;
    if (segments.get(1).equals("id")) {
      if (segments.size() < 3 || segments.get(2).isEmpty()) {
        throw notFound(
            "Missing object ID: use /" + bindingName + "/id/{64 hex digits}/...");
      }
      id = namespace.idFromString(segments.get(2));
      restStart = 3;
    } else {
      id = namespace.idFromName(decode(segments.get(1)));
      restStart = 2;
    }
    String rest = "/" + String.join("/", segments.subList(Math.min(restStart, segments.size()),
        segments.size()));
    if (rest.startsWith("/_duro/")) {
      throw notFound("Object paths under /_duro/ are reserved for Duro's typed RPC; "
          + rawPath + " cannot be routed");
    }
    return new Target(namespace, id, rest);
  }

  private static GatewayException notFound(String message) {
    return new GatewayException("not_found", message);
  }

  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(
          "Malformed percent-encoding in path segment '" + segment + "'", e);
    }
  }
}

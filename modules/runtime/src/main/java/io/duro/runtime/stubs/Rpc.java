package io.duro.runtime.stubs;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.duro.api.Headers;
import io.duro.api.InvalidArgumentException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.storage.ValueCodec;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Typed RPC over {@code Stub.fetch}: the caller's proxy turns a method call into {@code POST
 * /_duro/rpc/<Interface>.<method>} with the JSON body {@code {"interface", "method", "args"}};
 * the object's entity recognises that path and calls the method of the instance instead of its
 * {@code fetch}. The result travels back as {@code {"result": value}}. Because the call is a
 * plain request, it keeps every guarantee of {@code fetch}: per-object ordering, the caller's
 * output gate, completion on the caller's turn, the time limit and overload refusal.
 */
public final class Rpc {

  /** Request paths under this prefix are RPC calls; the gateway refuses them from outside. */
  public static final String PATH_PREFIX = "/_duro/rpc/";

  private static final ObjectMapper JSON = ValueCodec.newMapper();

  private Rpc() {}

  /**
   * Whether a request delivered to an object is an RPC call.
   *
   * @param request the request
   * @return true for {@code POST /_duro/rpc/...}
   */
  public static boolean isCall(Request request) {
    return request.method().equals("POST") && request.path().startsWith(PATH_PREFIX);
  }

  // ---- caller side ----------------------------------------------------------------------------

  /**
   * A proxy for {@code iface} whose calls go through {@code fetch}.
   *
   * @param iface the interface
   * @param fetch sends a request to the object
   * @param description for {@code toString}
   * @param <T> the interface type
   * @return the proxy
   */
  static <T> T proxy(
      Class<T> iface, Function<Request, CompletionStage<Response>> fetch, String description) {
    checkInterface(iface);
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "toString" -> iface.getSimpleName() + " view of " + description;
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> throw new UnsupportedOperationException(method.getName());
            };
          }
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          return call(iface, method, args == null ? new Object[0] : args, fetch);
        };
    return iface.cast(
        Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler));
  }

  private static void checkInterface(Class<?> iface) {
    if (iface == null || !iface.isInterface()) {
      throw new InvalidArgumentException(
          "Stub.as needs an interface that the object's class implements; got " + iface);
    }
    Set<String> names = new LinkedHashSet<>();
    for (Method m : iface.getMethods()) {
      if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      if (!CompletionStage.class.isAssignableFrom(m.getReturnType())
          || !m.getReturnType().isAssignableFrom(CompletableFuture.class)) {
        throw new InvalidArgumentException(
            iface.getName()
                + "."
                + m.getName()
                + " returns "
                + m.getReturnType().getSimpleName()
                + "; typed RPC methods must return CompletionStage<T> (calls are asynchronous)");
      }
      if (!names.add(m.getName())) {
        throw new InvalidArgumentException(
            iface.getName()
                + " declares more than one method named '"
                + m.getName()
                + "'; typed RPC needs unique method names (rename the overloads)");
      }
    }
  }

  private static CompletionStage<Object> call(
      Class<?> iface,
      Method method,
      Object[] args,
      Function<Request, CompletionStage<Response>> fetch) {
    Request request;
    try {
      ObjectNode body = JSON.createObjectNode();
      body.put("interface", iface.getName());
      body.put("method", method.getName());
      ArrayNode array = body.putArray("args");
      for (Object arg : args) {
        array.add(JSON.valueToTree(arg));
      }
      request =
          new Request(
              "POST",
              PATH_PREFIX + iface.getSimpleName() + "." + method.getName(),
              Headers.of("Content-Type", "application/json"),
              JSON.writeValueAsBytes(body));
    } catch (IOException | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new InvalidArgumentException(
              "Cannot send the arguments of "
                  + iface.getSimpleName()
                  + "."
                  + method.getName()
                  + " as JSON: "
                  + e.getMessage(),
              e));
    }
    JavaType resultType = JSON.getTypeFactory().constructType(resultTypeOf(method));
    // thenApply, not thenApplyAsync: the result completes where fetch's stage completes, which
    // inside an object is the caller's turn.
    return fetch.apply(request).thenApply(response -> decodeResult(response, resultType, method));
  }

  private static Type resultTypeOf(Method method) {
    if (method.getGenericReturnType() instanceof ParameterizedType p) {
      return p.getActualTypeArguments()[0];
    }
    return Object.class;
  }

  private static Object decodeResult(Response response, JavaType type, Method method) {
    try {
      JsonNode node = JSON.readTree(response.body());
      JsonNode result = node == null ? null : node.get("result");
      if (result == null || response.status() != 200) {
        throw new InvalidArgumentException(
            method.getName() + " got a response that is not an RPC result: " + response.status()
                + " " + response.text());
      }
      if (type.hasRawClass(Void.class) || result.isNull()) {
        return null;
      }
      return JSON.treeToValue(result, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidArgumentException(
          "Cannot read the result of " + method.getName() + " as " + type + ": " + e.getMessage(),
          e);
    }
  }

  // ---- object side ----------------------------------------------------------------------------

  /**
   * Calls the method an RPC request names on the object's instance.
   *
   * @param instance the object
   * @param request an RPC request ({@link #isCall})
   * @return the response carrying the result
   * @throws InvalidArgumentException if the request is malformed or names a method the instance
   *     does not have
   * @throws RuntimeException whatever the method throws
   */
  public static CompletionStage<Response> dispatch(Object instance, Request request) {
    JsonNode body;
    try {
      body = JSON.readTree(request.body());
    } catch (IOException e) {
      throw new InvalidArgumentException("An RPC call's body is not JSON: " + e.getMessage(), e);
    }
    String ifaceName = text(body, "interface");
    String methodName = text(body, "method");
    JsonNode args = body.get("args");
    if (args == null || !args.isArray()) {
      throw new InvalidArgumentException("An RPC call needs an 'args' array");
    }
    Class<?> type = instance.getClass();
    Class<?> iface = interfaces(type).get(ifaceName);
    if (iface == null) {
      throw new InvalidArgumentException(
          type.getName()
              + " does not implement "
              + ifaceName
              + "; Stub.as(...) needs an interface that the object's class implements");
    }
    Method method = null;
    for (Method m : iface.getMethods()) {
      if (m.getName().equals(methodName) && !Modifier.isStatic(m.getModifiers())) {
        method = m;
      }
    }
    if (method == null) {
      throw new InvalidArgumentException(ifaceName + " has no method '" + methodName + "'");
    }
    Type[] params = method.getGenericParameterTypes();
    if (params.length != args.size()) {
      throw new InvalidArgumentException(
          ifaceName + "." + methodName + " takes " + params.length + " arguments; "
              + args.size() + " were sent (is the caller's interface the same version?)");
    }
    Object[] values = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      try {
        values[i] = JSON.treeToValue(args.get(i), JSON.getTypeFactory().constructType(params[i]));
      } catch (IOException | IllegalArgumentException e) {
        throw new InvalidArgumentException(
            "Argument " + i + " of " + ifaceName + "." + methodName + " cannot be read as "
                + params[i].getTypeName() + ": " + e.getMessage(), e);
      }
    }
    Object result;
    try {
      method.setAccessible(true);
      result = method.invoke(instance, values);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new CompletionException(cause);
    } catch (IllegalAccessException | RuntimeException e) {
      throw new InvalidArgumentException(
          "Cannot call " + ifaceName + "." + methodName + " on " + type.getName() + ": " + e, e);
    }
    if (result == null) {
      throw new IllegalStateException(
          type.getName() + "." + methodName + " returned null instead of a CompletionStage");
    }
    return ((CompletionStage<?>) result).thenApply(Rpc::encodeResult);
  }

  private static Response encodeResult(Object value) {
    try {
      ObjectNode node = JSON.createObjectNode();
      node.set("result", JSON.valueToTree(value));
      return new Response(
          200, Headers.of("Content-Type", "application/json"), JSON.writeValueAsBytes(node));
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidArgumentException(
          "Cannot send an RPC result of type "
              + value.getClass().getName()
              + " as JSON: "
              + e.getMessage(),
          e);
    }
  }

  private static String text(JsonNode body, String field) {
    JsonNode node = body == null ? null : body.get(field);
    if (node == null || !node.isTextual()) {
      throw new InvalidArgumentException("An RPC call needs a string '" + field + "'");
    }
    return node.asText();
  }

  /** Every interface a class implements, directly or not, by name. */
  private static Map<String, Class<?>> interfaces(Class<?> type) {
    Map<String, Class<?>> found = new HashMap<>();
    Deque<Class<?>> todo = new ArrayDeque<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      todo.addAll(java.util.List.of(c.getInterfaces()));
    }
    while (!todo.isEmpty()) {
      Class<?> i = todo.poll();
      if (found.putIfAbsent(i.getName(), i) == null) {
        todo.addAll(java.util.List.of(i.getInterfaces()));
      }
    }
    return found;
  }
}

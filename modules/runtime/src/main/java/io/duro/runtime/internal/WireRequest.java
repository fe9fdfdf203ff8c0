package io.duro.runtime.internal;

import io.duro.api.Headers;
import io.duro.api.Request;
import io.duro.api.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Serializable forms of the SDK's {@link Request} and {@link Response}, to cross nodes. */
public final class WireRequest {

  private WireRequest() {}

  /**
   * A request on the wire.
   *
   * @param method the method
   * @param url path and query
   * @param headers name/value pairs, flattened
   * @param body the body
   */
  public record Req(
      String method, String url, List<String> headers, byte[] body, String connection)
      implements CborSerializable {

    public static Req of(Request r) {
      return new Req(
          r.method(), r.url(), flatten(r.headers()), r.body(), r.connectionId().orElse(null));
    }

    public Request toRequest() {
      return new Request(method, url, unflatten(headers), body, connection);
    }
  }

  /**
   * A response on the wire.
   *
   * @param status the status
   * @param headers name/value pairs, flattened
   * @param body the body
   */
  public record Resp(int status, List<String> headers, byte[] body) implements CborSerializable {

    public static Resp of(Response r) {
      return new Resp(r.status(), flatten(r.headers()), r.body());
    }

    public Response toResponse() {
      return new Response(status, unflatten(headers), body);
    }
  }

  static List<String> flatten(Headers headers) {
    List<String> flat = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : headers.asMap().entrySet()) {
      for (String v : e.getValue()) {
        flat.add(e.getKey());
        flat.add(v);
      }
    }
    return flat;
  }

  static Headers unflatten(List<String> flat) {
    if (flat.size() < 2) {
      return Headers.EMPTY;
    }
    // One copy into Headers, not one per header as repeated Headers.with would make.
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      map.computeIfAbsent(flat.get(i), name -> new ArrayList<>(1)).add(flat.get(i + 1));
    }
    return Headers.of(map);
  }
}

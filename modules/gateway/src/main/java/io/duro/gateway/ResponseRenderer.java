package io.duro.gateway;

import io.duro.api.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Turns an object's (or the Worker's) {@link Response} into the HTTP answer. Headers that Pekko
 * HTTP sets itself ({@code Content-Length}, {@code Date}, {@code Server}, ...) and Duro's
 * connection hand-over header are left out. Parsing a {@code Content-Type} costs about as much as
 * the rest of the rendering, and objects answer with a handful of distinct values, so the parsed
 * ones are kept (a bounded number of them); one renderer serves every request of a gateway.
 */
final class ResponseRenderer {

  private static final int MAX_CACHED_CONTENT_TYPES = 256;

  /** Parsed Content-Type values of responses, at most {@link #MAX_CACHED_CONTENT_TYPES}. */
  private final Map<String, ContentType> contentTypes = new ConcurrentHashMap<>();

  HttpResponse render(Response response) {
    ContentType type = ContentTypes.APPLICATION_OCTET_STREAM;
    List<HttpHeader> headers = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : response.headers().asMap().entrySet()) {
      String name = e.getKey();
      if (name.equalsIgnoreCase("Content-Type")) {
        type = parseContentType(e.getValue().get(0));
      } else if (!name.equalsIgnoreCase("Content-Length")
          && !name.equalsIgnoreCase("Transfer-Encoding")
          && !name.equalsIgnoreCase("Date")
          && !name.equalsIgnoreCase(Response.CONNECTION_HEADER)
          && !name.equalsIgnoreCase("Server")
          && !name.equalsIgnoreCase("Connection")) {
        for (String v : e.getValue()) {
          headers.add(RawHeader.create(name, v));
        }
      }
    }
    HttpEntity.Strict entity = HttpEntities.create(type, response.body());
    return HttpResponse.create()
        .withStatus(response.status())
        .withEntity(entity)
        .addHeaders(headers);
  }

  private ContentType parseContentType(String value) {
    ContentType known = contentTypes.get(value);
    if (known != null) {
      return known;
    }
    ContentType parsed;
    try {
      parsed = ContentTypes.parse(value);
    } catch (RuntimeException e) {
      parsed = ContentTypes.APPLICATION_OCTET_STREAM;
    }
    if (contentTypes.size() < MAX_CACHED_CONTENT_TYPES) {
      contentTypes.put(value, parsed);
    }
    return parsed;
  }
}

package io.duro.api;

import io.duro.api.spi.JsonCodec;
import java.util.ServiceLoader;

/** Finds the runtime's JSON codec once; the codec is stateless, so sharing it is safe. */
final class Json {

  private Json() {}

  private static final class Holder {
    static final JsonCodec CODEC =
        ServiceLoader.load(JsonCodec.class, Json.class.getClassLoader())
            .findFirst()
            .orElse(null);
  }

  static JsonCodec codec() {
    JsonCodec codec = Holder.CODEC;
    if (codec == null) {
      throw new IllegalStateException(
          "No JSON codec found: put duro-runtime (or the duro-testkit) on the class path");
    }
    return codec;
  }
}

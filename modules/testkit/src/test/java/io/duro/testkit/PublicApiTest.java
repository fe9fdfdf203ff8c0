package io.duro.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What users compile against in the testkit names no Pekko or Config type. */
class PublicApiTest {

  @Test
  void publicSignaturesOfTheTestkitNameNoPekkoOrConfigTypes() {
    List<String> offending = new ArrayList<>();
    for (Class<?> type :
        List.of(
            DuroExtension.class, DuroExtension.Builder.class, TestNode.class, TestWebSocket.class)) {
      for (Method m : type.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        String signature = m.toGenericString();
        if (signature.contains("org.apache.pekko") || signature.contains("com.typesafe")) {
          offending.add(signature);
        }
      }
    }
    assertEquals(List.of(), offending);
  }
}

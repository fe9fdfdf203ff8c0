package io.duro.runtime.stubs;

import io.duro.api.DurableObjectId;
import io.duro.api.InvalidArgumentException;
import io.duro.api.InvalidIdException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes and checks the IDs of one namespace.
 *
 * <p>An ID is 32 bytes, written as 64 lowercase hex digits: 16 bytes of body and a 16-byte tag,
 * {@code HMAC-SHA256(namespace key, body)} truncated. {@code idFromName} derives the body from the
 * name with the same keyed hash, so it is deterministic per namespace; {@code newUniqueId} draws it
 * from a {@link SecureRandom}. {@code idFromString} recomputes the tag, so a string that is
 * malformed, or was made by another namespace, is rejected.
 */
public final class NamespaceIds {

  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_NAME_BYTES = 2048;

  private final String namespaceKey;
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  // IDs already made from a name, and hex strings already checked: a name or ID that is used
  // again costs no HMAC (three per gateway request otherwise, a visible share of a read's CPU:
  // docs/benchmarks.md). Bounded: cleared when full, which only costs recomputation.
  private static final int MAX_REMEMBERED_IDS = 10_000;
  private final ConcurrentHashMap<String, DurableObjectId> idsByName = new ConcurrentHashMap<>();
  private final Set<String> checkedIds = ConcurrentHashMap.newKeySet();

  /**
   * Creates the IDs of a namespace.
   *
   * @param namespaceKey the namespace's stable key
   */
  public NamespaceIds(String namespaceKey) {
    this.namespaceKey = namespaceKey;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("duro-namespace:" + namespaceKey).getBytes(StandardCharsets.UTF_8));
      this.key = new SecretKeySpec(digest, "HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private byte[] hmac(byte[] input) {
    return macs.get().doFinal(input);
  }

  private DurableObjectId withTag(byte[] body, String name) {
    byte[] id = new byte[32];
    System.arraycopy(body, 0, id, 0, 16);
    System.arraycopy(hmac(body), 0, id, 16, 16);
    return new DurableObjectId(HEX.formatHex(id), name);
  }

  /**
   * The deterministic ID of a name.
   *
   * @param name a non-empty name of at most 2048 UTF-8 bytes
   * @return the ID
   */
  public DurableObjectId idFromName(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidArgumentException("An object name cannot be null or empty");
    }
    DurableObjectId known = idsByName.get(name);
    if (known != null) {
      return known;
    }
    byte[] utf8 = ("name:" + name).getBytes(StandardCharsets.UTF_8);
    if (utf8.length - 5 > MAX_NAME_BYTES) {
      throw new InvalidArgumentException(
          "An object name cannot be longer than "
              + MAX_NAME_BYTES
              + " bytes; a name of "
              + (utf8.length - 5)
              + " bytes was given.");
    }
    byte[] body = new byte[16];
    System.arraycopy(hmac(utf8), 0, body, 0, 16);
    DurableObjectId id = withTag(body, name);
    if (idsByName.size() >= MAX_REMEMBERED_IDS) {
      idsByName.clear();
    }
    idsByName.put(name, id);
    remember(id.toString());
    return id;
  }

  private void remember(String hex) {
    if (checkedIds.size() >= MAX_REMEMBERED_IDS) {
      checkedIds.clear();
    }
    checkedIds.add(hex);
  }

  /**
   * A new random ID.
   *
   * @return the ID
   */
  public DurableObjectId newUniqueId() {
    byte[] body = new byte[16];
    random.nextBytes(body);
    return withTag(body, null);
  }

  /**
   * Checks that an ID was made by this namespace.
   *
   * @param id the ID
   * @throws InvalidIdException when another namespace made it
   */
  public void check(DurableObjectId id) {
    String hex = id.toString();
    if (!checkedIds.contains(hex)) {
      checkTag(hex);
    }
  }

  /**
   * Parses and checks an ID.
   *
   * @param hex the string
   * @return the ID
   * @throws InvalidIdException if malformed or made by another namespace
   */
  public DurableObjectId idFromString(String hex) {
    DurableObjectId id = new DurableObjectId(hex, null);
    check(id);
    return id;
  }

  private void checkTag(String hex) {
    byte[] bytes = HEX.parseHex(hex);
    byte[] body = new byte[16];
    System.arraycopy(bytes, 0, body, 0, 16);
    byte[] expected = hmac(body);
    for (int i = 0; i < 16; i++) {
      if (expected[i] != bytes[16 + i]) {
        throw new InvalidIdException(
            "ID " + hex + " was not made by namespace '" + namespaceKey + "'");
      }
    }
    remember(hex);
  }
}

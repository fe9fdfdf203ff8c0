package io.duro.runtime.placement;

import io.duro.api.DurableObjectId;

/**
 * Where one object is: its namespace, its ID, its name (when the ID was made from one) and the
 * region it is placed in (null until placement has answered). Built once where a stub is made,
 * it travels as it is inside the messages to the object; {@link #entityId()} and {@link
 * #fromEntityId} are the one codec between it and Pekko sharding's entity ID, {@code
 * <hex>@<region>}.
 *
 * @param namespaceKey the namespace's key (the first part of the persistence ID)
 * @param id the object's ID, 64 hex digits
 * @param name the name its ID was made from, or null
 * @param region the region it is placed in, or null while not known
 */
public record ObjectAddress(String namespaceKey, String id, String name, String region) {

  /**
   * The address of an object whose region is not known yet.
   *
   * @param namespaceKey its namespace
   * @param id its ID
   * @return the address
   */
  public static ObjectAddress of(String namespaceKey, DurableObjectId id) {
    return new ObjectAddress(namespaceKey, id.toString(), id.name().orElse(null), null);
  }

  /**
   * The same object, placed in {@code region}.
   *
   * @param placedIn the region
   * @return the address with that region
   */
  public ObjectAddress placedIn(String placedIn) {
    return new ObjectAddress(namespaceKey, id, name, placedIn);
  }

  /**
   * The object's ID as user code sees it.
   *
   * @return the ID, with its name when known
   */
  public DurableObjectId objectId() {
    return new DurableObjectId(id, name);
  }

  /**
   * The sharding entity ID.
   *
   * @return {@code <hex>@<region>}, or the bare hex ID while the region is not known
   */
  public String entityId() {
    return region == null ? id : id + "@" + region;
  }

  /**
   * The address a sharding entity ID stands for (without the name: entity IDs do not carry it).
   *
   * @param namespaceKey the entity type's namespace
   * @param entityId {@code <hex>@<region>}, or a bare hex ID
   * @return the address
   */
  public static ObjectAddress fromEntityId(String namespaceKey, String entityId) {
    int at = entityId.indexOf('@');
    return at < 0
        ? new ObjectAddress(namespaceKey, entityId, null, null)
        : new ObjectAddress(
            namespaceKey, entityId.substring(0, at), null, entityId.substring(at + 1));
  }

  /**
   * The shard of an entity: {@code <region>-<n>} with n the object ID's hash modulo the shards
   * per region (a bare object ID gets Pekko's default {@code <n>}).
   *
   * @param entityId the entity ID
   * @param numberOfShards shards per region ({@code pekko.cluster.sharding.number-of-shards})
   * @return the shard ID
   */
  public static String shardId(String entityId, int numberOfShards) {
    int at = entityId.indexOf('@');
    String hex = at < 0 ? entityId : entityId.substring(0, at);
    String n = String.valueOf(Math.abs(hex.hashCode() % numberOfShards));
    return at < 0 ? n : entityId.substring(at + 1) + "-" + n;
  }

  @Override
  public String toString() {
    return namespaceKey + "/" + (name != null ? name + " (" + id + ")" : id)
        + (region == null ? "" : "@" + region);
  }
}

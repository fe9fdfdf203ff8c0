package io.duro.api;

/**
 * The objects of one Durable Object class, as bound in the application's manifest. Makes IDs and
 * the stubs that reach them.
 *
 * <pre>{@code
 * Namespace rooms = env.namespace("ROOMS");
 * Stub lobby = rooms.getByName("lobby");
 * CompletionStage<Response> reply = lobby.fetch(Request.get("/messages"));
 * }</pre>
 */
public interface Namespace {

  /**
   * Derives the ID for a name; the same name always gives the same ID in this namespace.
   *
   * @param name any non-empty string
   * @return the ID, whose {@link DurableObjectId#name()} is {@code name}
   * @throws InvalidArgumentException if the name is null or empty
   */
  DurableObjectId idFromName(String name);

  /**
   * Makes a new random ID.
   *
   * @return an ID no other call returns
   */
  DurableObjectId newUniqueId();

  /**
   * Parses an ID made by this namespace.
   *
   * @param hex 64 lowercase hex digits
   * @return the ID
   * @throws InvalidIdException if the string is malformed or was made by another namespace
   */
  DurableObjectId idFromString(String hex);

  /**
   * A stub for the object with this ID.
   *
   * @param id an ID of this namespace
   * @return the stub; creating it does not contact the object
   */
  Stub get(DurableObjectId id);

  /**
   * A stub for the object with this ID, placed near {@code locationHint} when it is new.
   *
   * @param id an ID of this namespace
   * @param locationHint a region name; ignored by a single-region deployment
   * @return the stub
   */
  Stub get(DurableObjectId id, String locationHint);

  /**
   * Shorthand for {@code get(idFromName(name))}.
   *
   * @param name the object's name
   * @return the stub
   */
  Stub getByName(String name);
}

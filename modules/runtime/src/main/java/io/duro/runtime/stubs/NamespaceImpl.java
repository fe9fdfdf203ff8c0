package io.duro.runtime.stubs;

import io.duro.api.DurableObjectId;
import io.duro.api.DuroException;
import io.duro.api.InvalidArgumentException;
import io.duro.api.Namespace;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Stub;
import io.duro.runtime.internal.ObjectCommand;
import io.duro.runtime.object.ObjectTurns;
import io.duro.runtime.placement.ObjectAddress;
import io.duro.runtime.placement.Placement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A namespace as user code sees it. When {@code caller} is set (the namespace was handed to an
 * object), stub calls made on the caller's turns go out through its output gate and complete on its
 * turn; otherwise (the gateway) they go out at once.
 */
public final class NamespaceImpl implements Namespace {

  private final NamespaceIds ids;
  private final EntityTypeKey<ObjectCommand> key;
  private final ObjectClient client;
  private final ObjectTurns caller;
  private final Placement placement;
  private final String namespaceKey;

  /**
   * Creates the view.
   *
   * @param ids the namespace's IDs
   * @param key its entity type
   * @param client the object client
   * @param caller the object whose code uses this namespace, or null
   * @param placement checks location hints
   */
  public NamespaceImpl(
      NamespaceIds ids,
      EntityTypeKey<ObjectCommand> key,
      ObjectClient client,
      ObjectTurns caller,
      Placement placement) {
    this.ids = ids;
    this.key = key;
    this.client = client;
    this.caller = caller;
    this.placement = placement;
    this.namespaceKey = ObjectClient.namespaceKeyOf(key);
  }

  @Override
  public DurableObjectId idFromName(String name) {
    return ids.idFromName(name);
  }

  @Override
  public DurableObjectId newUniqueId() {
    return ids.newUniqueId();
  }

  @Override
  public DurableObjectId idFromString(String hex) {
    return ids.idFromString(hex);
  }

  @Override
  public Stub get(DurableObjectId id) {
    ids.check(id);
    return new StubImpl(id, null);
  }

  @Override
  public Stub get(DurableObjectId id, String locationHint) {
    if (locationHint == null) {
      throw new InvalidArgumentException(
          "The location hint is null; use get(id) for an object placed near its caller");
    }
    ids.check(id);
    return new StubImpl(id, placement.checkHint(locationHint));
  }

  @Override
  public Stub getByName(String name) {
    return new StubImpl(ids.idFromName(name), null);
  }

  private final class StubImpl implements Stub {
    private final DurableObjectId id;
    private final ObjectAddress address;
    private final String hint;

    StubImpl(DurableObjectId id, String hint) {
      this.id = id;
      this.address = ObjectAddress.of(namespaceKey, id);
      this.hint = hint;
    }

    @Override
    public DurableObjectId id() {
      return id;
    }

    @Override
    public CompletionStage<Response> fetch(Request request) {
      if (caller == null || !caller.inTurn()) {
        return client.send(key, address, hint, request);
      }
      CompletableFuture<Response> result = new CompletableFuture<>();
      Object[] outcome = new Object[2];
      // Bound now, so a reply that arrives after the caller was reset is dropped.
      Runnable complete =
          caller.onTurn(
              () -> {
                if (outcome[1] != null) {
                  result.completeExceptionally((Throwable) outcome[1]);
                } else {
                  result.complete((Response) outcome[0]);
                }
              });
      caller.emit(
          () ->
              client
                  .send(key, address, hint, request)
                  .whenComplete(
                      (response, error) -> {
                        outcome[0] = response;
                        outcome[1] = error;
                        complete.run();
                      }),
          (DuroException reset) -> {});
      return result;
    }

    @Override
    public <T> T as(Class<T> iface) {
      return Rpc.proxy(iface, this::fetch, toString());
    }

    @Override
    public String toString() {
      return "Stub(" + key.name() + ", " + id + ")";
    }
  }
}

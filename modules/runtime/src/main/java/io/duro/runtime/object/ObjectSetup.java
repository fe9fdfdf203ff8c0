package io.duro.runtime.object;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.runtime.RuntimeSettings;
import io.duro.runtime.alarms.AlarmIndex;
import io.duro.runtime.connections.Connections;
import io.duro.storage.ValueCodec;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.util.function.Function;

/**
 * What every entity of one binding shares.
 *
 * @param namespaceKey the namespace, first part of the persistence ID
 * @param objectClass the user's class
 * @param settings runtime settings
 * @param codec the value codec
 * @param envFactory makes the {@link Env} an instance sees, given its turns
 * @param alarmIndex the durable index of pending alarms
 * @param connections the node's WebSockets and event streams
 * @param clock the runtime's clock: alarm times are compared with it (tests move it)
 * @param backends makes each object's storage backend
 */
public record ObjectSetup(
    String namespaceKey,
    Class<? extends DurableObject> objectClass,
    RuntimeSettings settings,
    ValueCodec codec,
    Function<ObjectTurns, Env> envFactory,
    AlarmIndex alarmIndex,
    Connections connections,
    Clock clock,
    StorageBackend.Factory backends) {

  /**
   * The user class's {@code (DurableObjectState, Env)} constructor.
   *
   * @return it
   */
  public Constructor<? extends DurableObject> constructor() {
    try {
      return objectClass.getConstructor(DurableObjectState.class, Env.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(
          objectClass.getName() + " has no public (DurableObjectState, Env) constructor", e);
    }
  }
}

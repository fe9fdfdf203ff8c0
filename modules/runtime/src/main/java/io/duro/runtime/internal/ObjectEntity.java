package io.duro.runtime.internal;

import io.duro.api.DuroException;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectId;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.ObjectResetException;
import io.duro.api.OverloadedException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import io.duro.api.AlarmInfo;
import io.duro.api.WebSocket;
import io.duro.runtime.Connections;
import io.duro.runtime.AlarmIndex;
import io.duro.runtime.RuntimeSettings;
import io.duro.runtime.internal.ObjectCommand.AlarmDue;
import io.duro.runtime.internal.ObjectCommand.IndexWritten;
import io.duro.runtime.internal.ObjectCommand.WakeUp;
import io.duro.runtime.internal.ObjectCommand.Deliver;
import io.duro.runtime.internal.ObjectCommand.JournalStopped;
import io.duro.runtime.internal.ObjectCommand.Passivate;
import io.duro.runtime.internal.ObjectCommand.Persisted;
import io.duro.runtime.internal.ObjectCommand.Recovered;
import io.duro.runtime.internal.ObjectCommand.RunInTurn;
import io.duro.runtime.internal.ObjectCommand.Tick;
import io.duro.storage.ObjectStorage;
import io.duro.storage.StorageHost;
import io.duro.storage.StoredEntries;
import io.duro.storage.ValueCodec;
import io.duro.storage.WriteBatch;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * One live Durable Object: the sharded entity that runs the user's instance in single-threaded
 * turns and enforces DESIGN §2.
 *
 * <p><b>Turns.</b> Every piece of user code runs inside {@link #turn}, on this actor's thread; the
 * storage facade refuses calls from anywhere else. Stages the runtime hands to user code (stub
 * calls, {@code sync()}, {@code blockConcurrencyWhile}) are completed inside a turn, so their
 * continuations run as turns too.
 *
 * <p><b>Input gate, pipelined.</b> Reads are served from memory. At the end of each turn its writes
 * are drained from the facade and merged into the pending batch; if no write is in flight the batch
 * goes to the {@link ObjectJournal} child at once, otherwise it waits and absorbs the writes of
 * every turn that runs meanwhile (group commit). Turns never wait for the journal.
 *
 * <p><b>Output gate.</b> Replies and outgoing calls of a turn are held until the journal confirms
 * every confirmed write made up to that turn ({@link #emit}). If a write fails, held outputs fail
 * and the object is reset: a new instance and storage are rebuilt from a fresh journal recovery.
 *
 * <p><b>Other events.</b> Requests wait in a bounded queue while the object starts, resets or is
 * inside {@code blockConcurrencyWhile}; beyond the bound they are refused as overloaded. A periodic
 * tick, active only while requests are unfinished, resets the object when one exceeds the request
 * time limit.
 */
public final class ObjectEntity extends AbstractBehavior<ObjectCommand> {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ObjectEntity.class);

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
   */
  public record Setup(
      String namespaceKey,
      Class<? extends DurableObject> objectClass,
      RuntimeSettings settings,
      ValueCodec codec,
      Function<ObjectTurns, Env> envFactory,
      AlarmIndex alarmIndex,
      io.duro.runtime.Connections connections,
      java.time.Clock clock) {}

  private enum Phase {
    STARTING,
    READY,
    RESETTING
  }

  private record Running(ActorRef<ObjectReply> replyTo, long startNanos, String connection) {
    Running(ActorRef<ObjectReply> replyTo, long startNanos) {
      this(replyTo, startNanos, null);
    }
  }

  private record Held(long required, Runnable send, Consumer<DuroException> onReset) {}

  private record Output(Runnable send, Consumer<DuroException> onReset) {}

  private final Setup setup;
  private DurableObjectId id;
  private final PersistenceId persistenceId;
  private final String node;
  private final String region;
  private final TimerScheduler<ObjectCommand> timers;
  private final Constructor<? extends DurableObject> constructor;
  private final long requestTimeoutNanos;

  private Phase phase = Phase.STARTING;
  private int generation;
  private ActorRef<ObjectJournal.Persist> journal;
  private int journalGeneration;
  private ObjectStorage storage;
  private DurableObject instance;
  private Env env;
  private Thread turnThread;

  private long turnSeq;
  private long lastConfirmed;
  private long durableUpTo;
  private boolean persistInFlight;
  private WriteBatch pending;
  private long pendingUpTo;
  private final ArrayDeque<Held> held = new ArrayDeque<>();

  private final ArrayDeque<ObjectCommand> queue = new ArrayDeque<>();
  private final ObjectSockets sockets;
  private final LinkedHashMap<Long, Running> running = new LinkedHashMap<>();
  private final ArrayDeque<Runnable> continuations = new ArrayDeque<>();
  private final List<Output> outputs = new ArrayList<>();
  private long nextRequestId;
  private int blockDepth;
  private int backgroundTasks;
  private ObjectResetException resetRequested;
  private ObjectResetException constructionFailure;
  private ObjectResetException lastReset;
  private boolean failQueuedOnReset;
  private boolean constructing;
  private int blockTokens;
  private boolean passivating;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final List<ActorRef<Done>> passivationWaiters = new ArrayList<>();

  // alarms: see the "alarms" section
  private static final String ALARM_TIMER = "alarm";
  private Long durableAlarm;
  private Long indexFloor;
  private WriteBatch inFlightBatch;
  private boolean indexWriteInFlight;
  private CompletionStage<Void> indexChain = CompletableFuture.completedFuture(null);
  private boolean alarmRunning;
  private boolean alarmWaiting;
  private boolean wakeRequested;
  private int alarmRetries;
  private long alarmNotBefore;
  private boolean dropAlarmOnRecovery;
  private boolean alarmStateLoading;

  /**
   * Creates the entity of one object.
   *
   * @param setup what the binding shares
   * @param entityId the object's ID (64 hex digits)
   * @return the behavior
   */
  public static Behavior<ObjectCommand> create(Setup setup, String entityId) {
    return create(setup, entityId, null);
  }

  /**
   * Creates the entity of one object that can be asked to passivate ({@link
   * ObjectCommand.PassivateNow}).
   *
   * @param setup what the binding shares
   * @param entityId the object's ID (64 hex digits)
   * @param shard the shard that runs it, or null
   * @return the behavior
   */
  public static Behavior<ObjectCommand> create(
      Setup setup, String entityId, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(timers -> new ObjectEntity(ctx, timers, setup, entityId, shard)));
  }

  @SuppressWarnings("unchecked")
  private ObjectEntity(
      ActorContext<ObjectCommand> ctx,
      TimerScheduler<ObjectCommand> timers,
      Setup setup,
      String entityId,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(ctx);
    this.setup = setup;
    this.shard = shard;
    this.timers = timers;
    // The entity ID is <hex>@<region> (Placement); the journal knows the object by its hex ID.
    String objectId = io.duro.runtime.Placement.objectIdOf(entityId);
    org.apache.pekko.actor.Address self = ctx.getSystem().address();
    this.node = self.host().getOrElse(() -> "local") + ":" + self.port().getOrElse(() -> 0);
    this.region = ctx.getSystem().settings().config().getString("duro.region");
    this.id = new DurableObjectId(objectId, null);
    this.persistenceId = PersistenceId.of(setup.namespaceKey(), objectId, "|");
    this.requestTimeoutNanos = setup.settings().requestTimeout().toNanos();
    try {
      this.constructor =
          setup
              .objectClass()
              .getConstructor(io.duro.api.DurableObjectState.class, io.duro.api.Env.class);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    this.sockets =
        new ObjectSockets(
            setup.connections(),
            setup.namespaceKey(),
            entityId,
            setup.codec(),
            setup.settings().maxConnectionsPerObject(),
            turns());
    startJournal();
  }

  @Override
  public Receive<ObjectCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(Deliver.class, this::onDeliver)
        .onMessage(ObjectCommand.SocketEvent.class, this::onSocketEvent)
        .onMessage(Recovered.class, this::onRecovered)
        .onMessage(Persisted.class, this::onPersisted)
        .onMessage(RunInTurn.class, this::onRunInTurn)
        .onMessage(JournalStopped.class, this::onJournalStopped)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Passivate.INSTANCE, this::onPassivate)
        .onMessage(ObjectCommand.PassivateNow.class, this::onPassivateNow)
        .onMessageEquals(WakeUp.INSTANCE, this::onWakeUp)
        .onMessageEquals(AlarmDue.INSTANCE, this::onAlarmDue)
        .onMessage(IndexWritten.class, this::onIndexWritten)
        .onMessage(ObjectCommand.AlarmStateLoaded.class, this::onAlarmStateLoaded)
        .build();
  }

  // ---- journal lifecycle ----------------------------------------------------------------------

  private void startJournal() {
    journalGeneration = generation;
    journal =
        getContext()
            .spawn(
                ObjectJournal.create(
                    persistenceId,
                    getContext().getSelf(),
                    journalGeneration,
                    setup.settings().snapshotEvery()),
                "journal-" + journalGeneration);
    getContext().watchWith(journal, new JournalStopped(journalGeneration));
  }

  private Behavior<ObjectCommand> onRecovered(Recovered msg) {
    if (msg.generation() != journalGeneration || phase != Phase.STARTING) {
      return this;
    }
    phase = Phase.READY;
    storage =
        new ObjectStorage(msg.entries(), setup.settings().storageLimits(), setup.codec(), host());
    env = setup.envFactory().apply(turns());
    instance = null;
    durableAlarm = msg.entries().alarmEpochMillis();
    indexFloor = durableAlarm;
    if (wakeRequested) {
      wakeRequested = false;
      reconcileIndex();
    }
    if (dropAlarmOnRecovery) {
      dropAlarmOnRecovery = false;
      if (durableAlarm != null) {
        turn(() -> storage.deleteAlarm());
      }
    }
    if (durableAlarm != null && alarmRetries == 0) {
      loadAlarmState(); // a passivated object may be in the middle of retries
    } else {
      scheduleAlarm();
    }
    drainQueue();
    return stopIfDone();
  }

  private Behavior<ObjectCommand> onJournalStopped(JournalStopped msg) {
    if (msg.generation() != journalGeneration) {
      return this;
    }
    switch (phase) {
      case RESETTING -> {
        phase = Phase.STARTING;
        startJournal();
      }
      case STARTING -> {
        // Recovery failed: the storage cannot be read. Nothing ran; refuse what waits and stop,
        // so the next request tries again with a fresh entity.
        getContext()
            .getLog()
            .error("Object {} of {} could not be recovered from the journal", id, ns());
        DuroException failure =
            new ObjectResetException(
                "storage_failed",
                "The storage of object " + id + " could not be read; try again later",
                true,
                null);
        for (ObjectCommand c : queue) {
          replyTo(c).tell(failed(failure));
        }
        queue.clear();
        return Behaviors.stopped();
      }
      case READY -> {
        getContext().getLog().error("Journal write of object {} of {} failed", id, ns());
        persistInFlight = false;
        reset(
            new ObjectResetException(
                "storage_failed",
                "A storage write of object " + id + " failed; the object was reset",
                true,
                null));
        phase = Phase.STARTING; // the journal is already gone: recover with a new one
        startJournal();
      }
    }
    return this;
  }

  private Behavior<ObjectCommand> onPersisted(Persisted msg) {
    if (msg.generation() != journalGeneration) {
      return this;
    }
    persistInFlight = false;
    if (phase == Phase.RESETTING) {
      getContext().stop(journal);
      return this;
    }
    durableUpTo = msg.upTo();
    WriteBatch written = inFlightBatch;
    inFlightBatch = null;
    if (written != null && written.alarmChanged()) {
      alarmPersisted(written.alarmEpochMillis());
    }
    turn(this::releaseHeld);
    return stopIfDone();
  }

  private void releaseHeld() {
    while (!held.isEmpty() && held.peekFirst().required() <= durableUpTo) {
      held.pollFirst().send().run();
    }
  }

  private void flush() {
    if (!persistInFlight && !indexWriteInFlight && pending != null && phase == Phase.READY) {
      if (needsIndexFirst(pending)) {
        writeIndexFloor(pending.alarmEpochMillis());
        return;
      }
      journal.tell(new ObjectJournal.Persist(pending, pendingUpTo, getContext().getSelf()));
      persistInFlight = true;
      inFlightBatch = pending;
      pending = null;
    }
  }

  // ---- turns ----------------------------------------------------------------------------------

  /** Runs user code as one turn, then commits its writes and sends its outputs through the gate. */
  private void turn(Runnable body) {
    turnThread = Thread.currentThread();
    try {
      body.run();
      Runnable next;
      while ((next = continuations.pollFirst()) != null) {
        next.run();
      }
    } finally {
      turnThread = null;
    }
    if (resetRequested != null) {
      // The turn that failed or aborted: its writes and outputs never happen.
      ObjectResetException reason = resetRequested;
      storage.rollbackTurn();
      for (Output output : outputs) {
        output.onReset().accept(reason);
      }
      outputs.clear();
      reset(reason);
      return;
    }
    drainWrites();
    flush();
    for (Output output : outputs) {
      emit(output.send(), output.onReset());
    }
    outputs.clear();
    if (!running.isEmpty() && !timers.isTimerActive(Tick.INSTANCE)) {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, tickInterval());
    }
  }

  private void drainWrites() {
    WriteBatch batch = storage.drainTurn();
    if (!batch.isEmpty()) {
      turnSeq++;
      pending = pending == null ? batch : pending.mergedWith(batch);
      pendingUpTo = turnSeq;
      if (batch.confirmed()) {
        lastConfirmed = turnSeq;
      }
    }
  }

  /** Sends {@code send} now if every confirmed write so far is durable, else holds it. */
  private void emit(Runnable send, Consumer<DuroException> onReset) {
    if (lastConfirmed <= durableUpTo) {
      send.run();
    } else {
      held.addLast(new Held(lastConfirmed, send, onReset));
    }
  }

  private Behavior<ObjectCommand> onRunInTurn(RunInTurn msg) {
    if (msg.generation() == generation && phase == Phase.READY) {
      turn(msg.action());
      drainQueue();
    }
    return stopIfDone();
  }

  private boolean onTurnThread() {
    return Thread.currentThread() == turnThread;
  }

  private Runnable onTurn(Runnable action) {
    int gen = generation;
    ActorRef<ObjectCommand> self = getContext().getSelf();
    return () -> {
      if (onTurnThread()) {
        if (gen == generation) {
          continuations.addLast(action);
        }
      } else {
        self.tell(new RunInTurn(action, gen));
      }
    };
  }

  // ---- requests -------------------------------------------------------------------------------

  private Behavior<ObjectCommand> onDeliver(Deliver d) {
    if (d.objectName() != null && id.name().isEmpty()) {
      id = new DurableObjectId(id.toString(), d.objectName()); // id.name() inside the object
    }
    return accept(d, d.replyTo());
  }

  private Behavior<ObjectCommand> onSocketEvent(ObjectCommand.SocketEvent e) {
    return accept(e, e.replyTo());
  }

  private static ActorRef<ObjectReply> replyTo(ObjectCommand c) {
    return c instanceof Deliver d ? d.replyTo() : ((ObjectCommand.SocketEvent) c).replyTo();
  }

  /** Runs a request or a connection event now, queues it, or refuses it when overloaded. */
  private Behavior<ObjectCommand> accept(ObjectCommand d, ActorRef<ObjectReply> replyTo) {
    int load = queue.size() + running.size() - blockTokens + held.size();
    if (load >= setup.settings().maxQueuedRequests()) {
      Duration wait = setup.settings().overloadRetryAfter();
      replyTo
          .tell(
              failed(
                  new OverloadedException(
                      "Object "
                          + id
                          + " is overloaded: "
                          + load
                          + " requests are queued or running (limit "
                          + setup.settings().maxQueuedRequests()
                          + "); retry later",
                      wait)));
      return this;
    }
    if (phase != Phase.READY || blockDepth > 0 || resetRequested != null) {
      queue.addLast(d);
      return this;
    }
    dispatch(d);
    return this;
  }

  private void drainQueue() {
    while (phase == Phase.READY && blockDepth == 0 && resetRequested == null && !queue.isEmpty()) {
      dispatch(queue.pollFirst());
    }
    if (alarmWaiting && phase == Phase.READY && blockDepth == 0 && resetRequested == null) {
      alarmWaiting = false;
      onAlarmDue();
    }
  }

  /** Runs a request now; the object is ready and not blocked. Creates the instance first. */
  private void dispatch(ObjectCommand d) {
    if (instance == null) {
      turn(this::construct);
      if (phase != Phase.READY) {
        // blockConcurrencyWhile failed inside the constructor: the object was reset
        replyTo(d).tell(failed(lastReset));
        return;
      }
      if (instance == null) {
        replyTo(d).tell(failed(constructionFailure));
        return;
      }
      if (blockDepth > 0) {
        queue.addFirst(d); // the constructor called blockConcurrencyWhile
        return;
      }
    }
    if (d instanceof Deliver request) {
      turn(() -> startRequest(request));
    } else {
      turn(() -> startSocketEvent((ObjectCommand.SocketEvent) d));
    }
  }

  private void construct() {
    constructing = true;
    try {
      sockets.newInstance();
      instance = constructor.newInstance(new State(storage), env);
      constructionFailure = null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable cause = e instanceof InvocationTargetException && e.getCause() != null
          ? e.getCause() : e;
      storage.rollbackTurn();
      getContext()
          .getLog()
          .error("Constructor of {} failed for object {}", setup.objectClass().getName(), id, cause);
      constructionFailure =
          new ObjectResetException(
              "object_error",
              "The constructor of "
                  + setup.objectClass().getSimpleName()
                  + " threw "
                  + cause.getClass().getName()
                  + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
              false,
              cause);
    } finally {
      constructing = false;
    }
  }

  private void startRequest(Deliver d) {
    long requestId = nextRequestId++;
    running.put(
        requestId, new Running(d.replyTo(), System.nanoTime(), d.request().connection()));
    CompletionStage<Response> stage;
    try {
      Request request = d.request().toRequest();
      stage = Rpc.isCall(request) ? Rpc.dispatch(instance, request) : instance.fetch(request);
      if (stage == null) {
        throw new IllegalStateException(
            setup.objectClass().getName() + ".fetch returned null instead of a CompletionStage");
      }
    } catch (Throwable t) {
      // The turn failed synchronously: none of its writes happen.
      storage.rollbackTurn();
      finishRequest(requestId, null, t);
      return;
    }
    stage.whenComplete(
        (response, error) -> onTurn(() -> finishRequest(requestId, response, error)).run());
  }

  /** Runs the handler of what a client sent on a connection, like a request. */
  private void startSocketEvent(ObjectCommand.SocketEvent e) {
    long requestId = nextRequestId++;
    running.put(requestId, new Running(e.replyTo(), System.nanoTime()));
    Connections.EventKind kind = Connections.EventKind.values()[e.kind()];
    Object handle =
        kind == Connections.EventKind.TEXT || kind == Connections.EventKind.BINARY
            ? sockets.known(e.connectionId())
            : sockets.removed(e.connectionId());
    if (handle == null) {
      finishRequest(requestId, SOCKET_UNKNOWN, null);
      return;
    }
    CompletionStage<Void> stage;
    try {
      stage = socketHandler(handle, kind, e);
      if (stage == null) {
        throw new IllegalStateException(
            setup.objectClass().getName() + "'s connection handler returned null instead of a"
                + " CompletionStage");
      }
    } catch (Throwable t) {
      storage.rollbackTurn();
      finishRequest(requestId, null, t);
      return;
    }
    stage.whenComplete(
        (ignored, error) ->
            onTurn(() -> finishRequest(requestId, error == null ? SOCKET_DONE : null, error))
                .run());
  }

  private static final Response SOCKET_DONE = Response.status(204);
  private static final Response SOCKET_UNKNOWN = Response.status(ObjectSockets.UNKNOWN_CONNECTION);

  private CompletionStage<Void> socketHandler(
      Object handle, Connections.EventKind kind, ObjectCommand.SocketEvent e) {
    if (handle instanceof io.duro.api.EventStream stream) {
      return instance.eventStreamClose(stream);
    }
    WebSocket ws = (WebSocket) handle;
    return switch (kind) {
      case TEXT -> instance.webSocketMessage(ws, e.text());
      case BINARY -> instance.webSocketMessage(ws, e.data());
      case CLOSE -> instance.webSocketClose(ws, e.code(), e.reason(), e.wasClean());
      case ERROR -> instance.webSocketError(ws, new java.io.IOException(e.reason()));
    };
  }

  /** Adds where the object runs: {@code Duro-Node: host:port} and {@code Duro-Region}. */
  private WireRequest.Resp withNode(WireRequest.Resp resp) {
    java.util.List<String> headers = new java.util.ArrayList<>(resp.headers());
    headers.add("Duro-Node");
    headers.add(node);
    headers.add("Duro-Region");
    headers.add(region);
    return new WireRequest.Resp(resp.status(), headers, resp.body());
  }

  private Duration tickInterval() {
    return Duration.ofMillis(Math.max(10, Math.min(1000, requestTimeoutNanos / 4_000_000)));
  }

  private void finishRequest(long requestId, Response response, Throwable error) {
    Running r = running.remove(requestId);
    if (r == null) {
      return; // already failed by a reset or a timeout
    }
    ObjectReply reply;
    if (error == null && response == null) {
      error =
          new IllegalStateException(
              setup.objectClass().getName() + ".fetch completed with null instead of a Response");
    }
    if (r.connection() != null) {
      error = checkHandOver(r.connection(), response, error);
    }
    if (error == null) {
      reply = new ObjectReply.Ok(withNode(WireRequest.Resp.of(response)));
    } else {
      Throwable cause = unwrap(error);
      if (cause instanceof DuroException duro) {
        reply = failed(duro);
      } else {
        getContext()
            .getLog()
            .warn("Object {} of {} failed a request; resetting it", id, ns(), cause);
        ObjectResetException reset =
            new ObjectResetException(
                "object_error",
                setup.objectClass().getSimpleName()
                    + " threw "
                    + cause.getClass().getName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                    + "; the object was reset",
                false,
                cause);
        requestReset(reset);
        reply = failed(reset);
      }
    }
    ObjectReply out = reply;
    outputs.add(new Output(() -> r.replyTo().tell(out), e -> r.replyTo().tell(failed(e))));
  }

  /**
   * A request that carried a client connection: if the object accepted it, the answer must hand
   * it over (101 or an event stream naming it); otherwise the acceptance is undone.
   */
  private Throwable checkHandOver(String connection, Response response, Throwable error) {
    boolean accepted = sockets.holds(connection);
    boolean handsOver =
        error == null
            && connection.equals(response.headers().first(Response.CONNECTION_HEADER).orElse(null));
    if (handsOver && !accepted) {
      return new IllegalStateException(
          setup.objectClass().getName()
              + " answered with connection "
              + connection
              + " that it did not accept; call state.acceptWebSocket or acceptEventStream first");
    }
    if (accepted && !handsOver) {
      sockets.forget(connection);
    }
    if (error == null && response.status() == 101 && !handsOver) {
      return new IllegalStateException(
          setup.objectClass().getName()
              + " answered 101 without an accepted WebSocket; use Response.webSocket(ws)");
    }
    return error;
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static ObjectReply.Failed failed(DuroException e) {
    long retryAfter =
        e instanceof OverloadedException o && o.retryAfter() != null
            ? o.retryAfter().toMillis()
            : 0;
    return new ObjectReply.Failed(e.code(), e.getMessage(), e.isRetryable(), retryAfter);
  }

  private Behavior<ObjectCommand> onTick() {
    if (running.isEmpty()) {
      timers.cancel(Tick.INSTANCE);
      return stopIfDone();
    }
    Running oldest = running.values().iterator().next();
    long age = System.nanoTime() - oldest.startNanos();
    if (age > requestTimeoutNanos) {
      reset(
          new ObjectResetException(
              "timeout",
              "A request to object "
                  + id
                  + " did not complete within "
                  + setup.settings().requestTimeout().toMillis()
                  + " ms; the object was reset",
              false,
              null));
    }
    return this;
  }

  // ---- alarms ---------------------------------------------------------------------------------
  //
  // The alarm lives in the object's storage (durable with its write batch). While the object is
  // in memory a timer fires it; the durable index (AlarmIndex) wakes it when it is not. Index
  // invariant: if the durable alarm is T, the index row's due_at is <= T — the row is written
  // before the journal event that sets an earlier alarm ("floor"), and corrected after it.

  private boolean needsIndexFirst(WriteBatch batch) {
    return batch.alarmChanged()
        && batch.alarmEpochMillis() != null
        && (indexFloor == null || batch.alarmEpochMillis() < indexFloor);
  }

  private void writeIndexFloor(long newAlarm) {
    long floor = durableAlarm == null ? newAlarm : Math.min(durableAlarm, newAlarm);
    int gen = journalGeneration;
    int retries = alarmRetries;
    String ns = ns();
    String hex = id.toString();
    ActorRef<ObjectCommand> self = getContext().getSelf();
    indexWriteInFlight = true;
    chainIndex(() -> setup.alarmIndex().upsert(ns, hex, floor, retries))
        .whenComplete((done, error) -> self.tell(new IndexWritten(gen, floor, error)));
  }

  private Behavior<ObjectCommand> onIndexWritten(IndexWritten msg) {
    if (msg.generation() != journalGeneration || phase != Phase.READY) {
      return this;
    }
    indexWriteInFlight = false;
    if (msg.error() != null) {
      getContext().getLog().error("Alarm index write of object {} failed", id, msg.error());
      reset(
          new ObjectResetException(
              "storage_failed",
              "The alarm index write of object " + id + " failed; the object was reset",
              true,
              msg.error()));
      return this;
    }
    indexFloor = indexFloor == null ? msg.floorMillis() : Math.min(indexFloor, msg.floorMillis());
    flush();
    return stopIfDone();
  }

  /** The journal confirmed a batch that changed the alarm: fix the index and the timer. */
  private void alarmPersisted(Long newAlarm) {
    durableAlarm = newAlarm;
    String ns = ns();
    String hex = id.toString();
    if (newAlarm == null) {
      alarmRetries = 0;
      alarmNotBefore = 0;
      indexFloor = null;
      chainIndex(() -> setup.alarmIndex().delete(ns, hex));
    } else {
      if (!alarmRunning) {
        alarmRetries = 0;
        alarmNotBefore = 0;
      }
      indexFloor = newAlarm;
      chainIndex(() -> setup.alarmIndex().upsert(ns, hex, newAlarm, 0));
    }
    scheduleAlarm();
  }

  /** Index writes of one object run one after the other, in the order they were asked for. */
  private CompletionStage<Void> chainIndex(java.util.function.Supplier<CompletionStage<Void>> op) {
    String what = id.toString();
    CompletionStage<Void> next =
        indexChain.handle((ignored, error) -> (Void) null).thenCompose(ignored -> op.get());
    next.whenComplete(
        (ignored, error) -> {
          if (error != null) {
            LOG.warn("Alarm index update of object {} failed: {}", what, error.toString());
          }
        });
    indexChain = next;
    return next;
  }

  private void reconcileIndex() {
    if (durableAlarm == null && pending == null && !persistInFlight && !indexWriteInFlight) {
      String ns = ns();
      String hex = id.toString();
      indexFloor = null;
      chainIndex(() -> setup.alarmIndex().delete(ns, hex)); // a row without an alarm behind it
    }
  }

  /** The alarm as the latest turns left it (possibly not yet durable). */
  private Long liveAlarm() {
    Thread previous = turnThread;
    turnThread = Thread.currentThread(); // a read outside user code
    try {
      return storage.getAlarm().map(Instant::toEpochMilli).orElse(null);
    } finally {
      turnThread = previous;
    }
  }

  private void loadAlarmState() {
    int gen = journalGeneration;
    alarmStateLoading = true;
    getContext()
        .pipeToSelf(
            setup.alarmIndex().get(ns(), id.toString()),
            (row, error) ->
                row == null || row.isEmpty()
                    ? new ObjectCommand.AlarmStateLoaded(gen, 0, 0)
                    : new ObjectCommand.AlarmStateLoaded(
                        gen, row.get().retryCount(), row.get().dueAt().toEpochMilli()));
  }

  private Behavior<ObjectCommand> onAlarmStateLoaded(ObjectCommand.AlarmStateLoaded msg) {
    if (msg.generation() != journalGeneration || phase != Phase.READY) {
      return this;
    }
    alarmStateLoading = false;
    if (msg.retryCount() > alarmRetries) {
      alarmRetries = msg.retryCount();
      alarmNotBefore = Math.max(alarmNotBefore, msg.dueAtMillis());
    }
    scheduleAlarm();
    return this;
  }

  private void scheduleAlarm() {
    if (alarmStateLoading) {
      return; // onAlarmStateLoaded schedules it
    }
    if (durableAlarm == null || phase != Phase.READY) {
      timers.cancel(ALARM_TIMER);
      return;
    }
    long at = Math.max(durableAlarm, alarmNotBefore);
    long delay = Math.max(0, at - setup.clock().millis());
    timers.startSingleTimer(ALARM_TIMER, AlarmDue.INSTANCE, Duration.ofMillis(delay));
  }

  private Behavior<ObjectCommand> onWakeUp() {
    if (phase == Phase.READY) {
      reconcileIndex();
      if (!alarmRunning) {
        scheduleAlarm();
      }
    } else {
      wakeRequested = true;
    }
    return stopIfDone();
  }

  private Behavior<ObjectCommand> onAlarmDue() {
    if (phase != Phase.READY || alarmRunning || durableAlarm == null) {
      return this;
    }
    if (!java.util.Objects.equals(liveAlarm(), durableAlarm)) {
      return this; // a turn changed or deleted it; alarmPersisted reschedules once that is durable
    }
    if (setup.clock().millis() < Math.max(durableAlarm, alarmNotBefore)) {
      scheduleAlarm(); // never early
      return this;
    }
    if (blockDepth > 0 || resetRequested != null) {
      alarmWaiting = true; // runs when the object is free again (drainQueue)
      return this;
    }
    if (instance == null) {
      turn(this::construct);
      if (phase != Phase.READY) {
        return this; // the constructor's blockConcurrencyWhile failed: recovery reschedules
      }
      if (instance == null) {
        turn(
            () -> {
              if (alarmFailed(constructionFailure, false)) {
                storage.deleteAlarm();
              }
            });
        return stopIfDone();
      }
      if (blockDepth > 0) {
        alarmWaiting = true;
        return this;
      }
    }
    long scheduled = durableAlarm;
    int retries = alarmRetries;
    long token = nextRequestId++;
    running.put(token, new Running(null, System.nanoTime()));
    alarmRunning = true;
    turn(
        () -> {
          CompletionStage<Void> stage;
          try {
            stage = instance.alarm(new AlarmInfo(Instant.ofEpochMilli(scheduled), retries));
            if (stage == null) {
              throw new IllegalStateException(
                  setup.objectClass().getName() + ".alarm returned null instead of a stage");
            }
          } catch (Throwable t) {
            storage.rollbackTurn(); // a failed synchronous run writes nothing
            finishAlarm(token, scheduled, t);
            return;
          }
          stage.whenComplete(
              (ignored, error) -> onTurn(() -> finishAlarm(token, scheduled, error)).run());
        });
    return stopIfDone();
  }

  /** Runs on the object's turn when its alarm handler completed. */
  private void finishAlarm(long token, long scheduled, Throwable error) {
    if (running.remove(token) == null) {
      return; // the object was reset meanwhile; reset() counted the failure
    }
    alarmRunning = false;
    boolean unchanged =
        storage.getAlarm().map(at -> at.toEpochMilli() == scheduled).orElse(false);
    if (error == null) {
      alarmRetries = 0;
      alarmNotBefore = 0;
      if (unchanged) {
        storage.deleteAlarm(); // a successful run clears the alarm unless it set a new one
      }
      return;
    }
    if (alarmFailed(unwrap(error), false) && unchanged) {
      storage.deleteAlarm();
    }
  }

  /**
   * Counts a failed run: schedules the retry with backoff, or gives up after the last retry.
   *
   * @param cause why the run failed
   * @param duringReset whether the object is being reset (no timer then: recovery schedules it)
   * @return true when the alarm is dropped (the caller deletes it)
   */
  private boolean alarmFailed(Throwable cause, boolean duringReset) {
    int max = setup.settings().alarms().maxRetries();
    alarmRetries++;
    if (alarmRetries > max) {
      getContext()
          .getLog()
          .error(
              "Alarm of object {} of {} failed {} times; dropping it. Last failure: {}",
              id,
              ns(),
              alarmRetries,
              String.valueOf(cause));
      alarmRetries = 0;
      alarmNotBefore = 0;
      return true;
    }
    long notBefore =
        setup.clock().millis()
            + setup.settings().alarms().retryDelay(alarmRetries).toMillis();
    alarmNotBefore = notBefore;
    getContext()
        .getLog()
        .warn(
            "Alarm of object {} of {} failed (retry {} of {} at {}): {}",
            id,
            ns(),
            alarmRetries,
            max,
            Instant.ofEpochMilli(notBefore),
            String.valueOf(cause));
    // the index wakes the object for the retry even if it is passivated meanwhile
    String ns = ns();
    String hex = id.toString();
    int retries = alarmRetries;
    indexFloor = notBefore;
    chainIndex(() -> setup.alarmIndex().upsert(ns, hex, notBefore, retries));
    if (!duringReset) {
      scheduleAlarm();
    }
    return false;
  }

  // ---- reset and passivation ------------------------------------------------------------------

  private void requestReset(ObjectResetException reason) {
    requestReset(reason, false);
  }

  private void requestReset(ObjectResetException reason, boolean failQueued) {
    if (resetRequested == null) {
      resetRequested = reason;
      failQueuedOnReset = failQueued;
    }
  }

  /**
   * Discards the instance and every write not yet durable, fails what waits on them, and rebuilds
   * the object from a fresh journal recovery. Queued requests stay queued for the new instance.
   */
  private void reset(ObjectResetException reason) {
    getContext().getLog().info("Resetting object {} of {}: {}", id, ns(), reason.getMessage());
    generation++;
    lastReset = reason;
    if (failQueuedOnReset) {
      // The object cannot initialize: requests waiting for it would only repeat the failure.
      for (ObjectCommand d : queue) {
        replyTo(d).tell(failed(reason));
      }
      queue.clear();
      failQueuedOnReset = false;
    }
    for (Running r : running.values()) {
      if (r.replyTo() != null) {
        r.replyTo().tell(failed(reason));
      }
      if (r.connection() != null) {
        sockets.forget(r.connection()); // its acceptance never reached the gateway
      }
    }
    running.clear();
    for (Held h : held) {
      h.onReset().accept(reason);
    }
    held.clear();
    continuations.clear();
    outputs.clear();
    timers.cancel(Tick.INSTANCE);
    instance = null;
    storage = null;
    env = null;
    pending = null;
    blockDepth = 0;
    blockTokens = 0;
    backgroundTasks = 0;
    timers.cancel(ALARM_TIMER);
    if (alarmRunning) {
      // the alarm's run ended in the reset: a failed run, retried (or dropped) after recovery
      if (alarmFailed(reason, true)) {
        dropAlarmOnRecovery = true;
      }
    }
    alarmRunning = false;
    alarmWaiting = false;
    alarmStateLoading = false;
    inFlightBatch = null;
    indexWriteInFlight = false;
    resetRequested = null;
    turnSeq = 0;
    lastConfirmed = 0;
    durableUpTo = 0;
    phase = Phase.RESETTING;
    if (!persistInFlight) {
      getContext().stop(journal);
    }
  }

  private Behavior<ObjectCommand> onPassivate() {
    passivating = true;
    // the shard now buffers new events until this instance has stopped
    passivationWaiters.forEach(w -> w.tell(Done.getInstance()));
    passivationWaiters.clear();
    return stopIfDone();
  }

  /** Passivates as if idle (tests simulate hibernation): the shard then sends {@code Passivate}. */
  private Behavior<ObjectCommand> onPassivateNow(ObjectCommand.PassivateNow msg) {
    if (passivating) {
      msg.replyTo().tell(Done.getInstance());
    } else if (shard == null) {
      getContext().getLog().warn("Object {} has no shard to passivate it", id);
    } else {
      passivationWaiters.add(msg.replyTo());
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }
    return this;
  }

  private Behavior<ObjectCommand> stopIfDone() {
    boolean idle =
        running.isEmpty()
            && held.isEmpty()
            && queue.isEmpty()
            && pending == null
            && !persistInFlight
            && !indexWriteInFlight
            && backgroundTasks == 0
            && phase != Phase.RESETTING;
    return passivating && idle ? Behaviors.stopped() : this;
  }

  private String ns() {
    return setup.namespaceKey();
  }

  // ---- what user code and runtime services see ------------------------------------------------

  private StorageHost host() {
    int gen = generation;
    return new StorageHost() {
      @Override
      public void checkAccess() {
        if (!onTurnThread() || gen != generation) {
          throw new IllegalStateException(
              "The storage of object "
                  + id
                  + " was used outside the object's turns (thread "
                  + Thread.currentThread().getName()
                  + "); use it only in handlers and in continuations of stages Duro returned");
        }
      }

      @Override
      public CompletionStage<Void> sync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        drainWrites();
        flush();
        long required = turnSeq;
        if (required <= durableUpTo) {
          done.complete(null);
        } else {
          // On a reset the stage is dropped: its continuations belong to a discarded instance.
          held.addLast(new Held(required, () -> done.complete(null), e -> {}));
        }
        return done;
      }

      @Override
      public long currentTimeMillis() {
        return setup.clock().millis();
      }
    };
  }

  private ObjectTurns turns() {
    return new ObjectTurns() {
      @Override
      public boolean inTurn() {
        return onTurnThread();
      }

      @Override
      public void emit(Runnable send, Consumer<DuroException> onReset) {
        outputs.add(new Output(send, onReset));
      }

      @Override
      public Runnable onTurn(Runnable action) {
        return ObjectEntity.this.onTurn(action);
      }
    };
  }

  /** The {@link DurableObjectState} of one instance. */
  private final class State implements DurableObjectState {
    private final ObjectStorage storage;

    State(ObjectStorage storage) {
      this.storage = storage;
    }

    @Override
    public DurableObjectId id() {
      return id;
    }

    @Override
    public Storage storage() {
      return storage;
    }

    @Override
    public java.time.Clock clock() {
      return setup.clock();
    }

    @Override
    public <T> CompletionStage<T> blockConcurrencyWhile(Callable<CompletionStage<T>> callback) {
      checkTurn("blockConcurrencyWhile");
      CompletableFuture<T> result = new CompletableFuture<>();
      long token = nextRequestId++;
      boolean duringConstruction = constructing;
      running.put(token, new Running(null, System.nanoTime()));
      blockTokens++;
      if (!timers.isTimerActive(Tick.INSTANCE)) {
        timers.startTimerWithFixedDelay(Tick.INSTANCE, tickInterval());
      }
      blockDepth++;
      CompletionStage<T> stage;
      try {
        stage = callback.call();
      } catch (Throwable t) {
        stage = CompletableFuture.failedFuture(t);
      }
      if (stage == null) {
        stage =
            CompletableFuture.failedFuture(
                new IllegalStateException("blockConcurrencyWhile callback returned null"));
      }
      stage.whenComplete(
          (value, error) ->
              onTurn(
                      () -> {
                        if (running.remove(token) == null) {
                          return; // the object was reset meanwhile
                        }
                        blockTokens--;
                        blockDepth--;
                        if (error != null) {
                          Throwable cause = unwrap(error);
                          requestReset(
                              new ObjectResetException(
                                  "object_error",
                                  "blockConcurrencyWhile failed in object "
                                      + id
                                      + ": "
                                      + cause
                                      + "; the object was reset",
                                  false,
                                  cause),
                              duringConstruction);
                          result.completeExceptionally(cause);
                        } else {
                          result.complete(value);
                        }
                      })
                  .run());
      return result;
    }

    @Override
    public void waitUntil(CompletionStage<?> stage) {
      checkTurn("waitUntil");
      backgroundTasks++;
      Throwable[] failure = new Throwable[1];
      // Bound now, so a completion after a reset is dropped; logs on the turn (the actor's log).
      Runnable done =
          onTurn(
              () -> {
                backgroundTasks--;
                if (failure[0] != null) {
                  getContext()
                      .getLog()
                      .warn("waitUntil task of object {} failed", id, unwrap(failure[0]));
                }
              });
      stage.whenComplete(
          (value, error) -> {
            failure[0] = error;
            done.run();
          });
    }

    @Override
    public void abort(String reason) {
      checkTurn("abort");
      requestReset(
          new ObjectResetException(
              "aborted", "Object " + id + " aborted: " + reason, false, null));
    }

    @Override
    public WebSocket acceptWebSocket(Request request, String... tags) {
      checkTurn("acceptWebSocket");
      return sockets.acceptWebSocket(request, tags);
    }

    @Override
    public List<WebSocket> getWebSockets() {
      return sockets.list(SocketTable.Kind.WEB_SOCKET, null);
    }

    @Override
    public List<WebSocket> getWebSockets(String tag) {
      return sockets.list(SocketTable.Kind.WEB_SOCKET, tag);
    }

    @Override
    public void setWebSocketAutoResponse(String request, String response) {
      checkTurn("setWebSocketAutoResponse");
      sockets.setAutoResponse(request, response);
    }

    @Override
    public java.util.Optional<Instant> getWebSocketAutoResponseTimestamp(WebSocket ws) {
      return sockets.autoResponseAt(ws);
    }

    @Override
    public io.duro.api.EventStream acceptEventStream(Request request, String... tags) {
      checkTurn("acceptEventStream");
      return sockets.acceptEventStream(request, tags);
    }

    @Override
    public List<io.duro.api.EventStream> getEventStreams(String tag) {
      return sockets.list(SocketTable.Kind.EVENT_STREAM, tag);
    }

    private void checkTurn(String what) {
      if (!onTurnThread()) {
        throw new IllegalStateException(
            what + " of object " + id + " was called outside the object's turns");
      }
    }
  }
}

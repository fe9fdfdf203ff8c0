package io.duro.runtime.object;

import io.duro.api.AlarmInfo;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectId;
import io.duro.api.Env;
import io.duro.api.ObjectResetException;
import io.duro.runtime.internal.ObjectReply;
import io.duro.storage.StorageHost;
import io.duro.storage.TurnStorage;
import io.duro.storage.WriteBatch;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Everything of one activation of an object: its live storage, the user's instance, the turns
 * that run it, the output gate and group commit, and the events in progress. A reset discards the
 * whole incarnation ({@link #discard}) and the entity recovers a new one from the journal, so no
 * field of an activation can outlive it by being forgotten; a completion that arrives for a
 * discarded incarnation finds it is no longer the entity's and is dropped.
 *
 * <p>Plain Java: what it needs of the actor around it is the {@link Shell}, so it runs in tests
 * without an ActorSystem. Confined to the object's actor thread.
 */
final class Incarnation {

  /** What an incarnation needs of the entity that runs it. */
  interface Shell {

    /**
     * The object's ID (its name once a caller named it).
     *
     * @return the ID
     */
    DurableObjectId id();

    /**
     * The time alarms and user code see.
     *
     * @return the clock
     */
    Clock clock();

    /** Hands the pending batch to the journal if nothing holds it back. */
    void flush();

    /**
     * Resets the object: this incarnation is discarded.
     *
     * @param reason why
     */
    void reset(ObjectResetException reason);

    /**
     * Runs {@code action} later as a turn of {@code incarnation}, unless it was discarded then.
     *
     * @param action the code
     * @param incarnation its incarnation
     */
    void runLater(Runnable action, Incarnation incarnation);

    /** Events are in progress: their time limit must be watched. */
    void eventsRunning();

    /**
     * The object's input gate ({@code blockConcurrencyWhile} locks it).
     *
     * @return the gate
     */
    InputGate<?> input();

    /**
     * The object's WebSockets and event streams.
     *
     * @return them
     */
    ObjectSockets sockets();
  }

  /**
   * An event in progress: a request, a socket event, an alarm run or a {@code
   * blockConcurrencyWhile}.
   *
   * @param reply where its caller's answer goes, or null
   * @param startNanos when it started
   * @param connection the client connection the request carries, or null
   */
  record Running(Consumer<ObjectReply> reply, long startNanos, String connection) {}

  private final Shell shell;
  private final TurnStorage storage;
  private final TurnRunner turns;
  private final Env env;
  private final OutputGate gate = new OutputGate();
  private final GroupCommit commit = new GroupCommit();
  private final LinkedHashMap<Long, Running> running = new LinkedHashMap<>();
  private DurableObject instance;
  private ObjectResetException constructionFailure;
  private boolean constructing;
  private long nextEventId;
  private int locks;
  private int backgroundTasks;

  /**
   * Opens a new incarnation over recovered storage.
   *
   * @param shell the entity
   * @param recovered the storage the journal recovered
   * @param envFactory makes the {@link Env} the instance sees, given its turns
   */
  Incarnation(
      Shell shell, StorageBackend.Recovered recovered, Function<ObjectTurns, Env> envFactory) {
    this.shell = shell;
    this.turns = new TurnRunner(action -> shell.runLater(action, this));
    this.storage = recovered.open(new Host());
    this.env = envFactory.apply(turns);
  }

  // ---- turns ----------------------------------------------------------------------------------

  /**
   * Runs {@code body} as one turn, then commits its writes and sends its outputs through the gate;
   * if the turn asked for a reset, its writes and outputs never happen and the object is reset.
   *
   * @param body the code
   */
  void turn(Runnable body) {
    turns.run(body);
    ObjectResetException reason = turns.resetRequested();
    if (reason != null) {
      storage.rollbackTurn();
      turns.failOutputs(reason);
      shell.reset(reason);
      return;
    }
    drainWrites();
    shell.flush();
    turns.releaseOutputs(gate);
    if (!running.isEmpty()) {
      shell.eventsRunning();
    }
  }

  private void drainWrites() {
    WriteBatch batch = storage.drainTurn();
    long turn = commit.add(batch);
    if (turn != 0 && batch.confirmed()) {
      gate.lockUntil(turn);
    }
  }

  /**
   * The journal made every turn up to {@code upTo} durable: the outputs that waited for them
   * leave, in a turn (a released {@code sync()} continues the user's code).
   *
   * @param upTo the newest durable turn
   */
  void durable(long upTo) {
    turn(() -> gate.durable(upTo));
  }

  // ---- the instance ---------------------------------------------------------------------------

  /**
   * Whether the user's instance exists.
   *
   * @return true once constructed
   */
  boolean hasInstance() {
    return instance != null;
  }

  /**
   * Creates the user's instance in a turn of its own.
   *
   * @param constructor the class's (state, env) constructor
   * @param onNewInstance told first (sockets start a new instance's view)
   * @return null, or why the constructor failed (the instance then stays absent)
   */
  ObjectResetException construct(
      Constructor<? extends DurableObject> constructor, Runnable onNewInstance) {
    turn(
        () -> {
          constructing = true;
          try {
            onNewInstance.run();
            instance = constructor.newInstance(new ObjectState(this), env);
            constructionFailure = null;
          } catch (ReflectiveOperationException | RuntimeException e) {
            Throwable cause =
                e instanceof InvocationTargetException && e.getCause() != null ? e.getCause() : e;
            storage.rollbackTurn();
            constructionFailure =
                Failures.objectError(
                    "The constructor of " + constructor.getDeclaringClass().getSimpleName(),
                    cause,
                    "");
          } finally {
            constructing = false;
          }
        });
    return constructionFailure;
  }

  /**
   * The user's instance.
   *
   * @return it
   */
  DurableObject instance() {
    return instance;
  }

  // ---- events in progress ---------------------------------------------------------------------

  /**
   * Records an event in progress.
   *
   * @param reply where its caller's answer goes (a failure if the object is reset), or null
   * @param connection the client connection it carries, or null
   * @return its token
   */
  long begin(Consumer<ObjectReply> reply, String connection) {
    long token = nextEventId++;
    running.put(token, new Running(reply, System.nanoTime(), connection));
    return token;
  }

  /**
   * Ends an event.
   *
   * @param token its token
   * @return it, or null when a reset or a timeout ended it already
   */
  Running end(long token) {
    return running.remove(token);
  }

  /**
   * What the object is busy with, for the input gate's bound: events in progress (a lock held by
   * {@code blockConcurrencyWhile} is not one) and held outputs.
   *
   * @return the count
   */
  int busy() {
    return running.size() - locks + gate.heldCount();
  }

  /**
   * When the oldest event in progress started.
   *
   * @return {@link System#nanoTime()} then, or null when none runs
   */
  Long oldestStart() {
    Iterator<Running> it = running.values().iterator();
    return it.hasNext() ? it.next().startNanos() : null;
  }

  /**
   * Whether nothing is in progress, held, unwritten or running in the background.
   *
   * @return true when the object may stop
   */
  boolean idle() {
    return running.isEmpty() && gate.heldCount() == 0 && commit.idle() && backgroundTasks == 0;
  }

  // ---- what the entity reads ------------------------------------------------------------------

  TurnRunner turns() {
    return turns;
  }

  GroupCommit commit() {
    return commit;
  }

  Shell shell() {
    return shell;
  }

  boolean constructing() {
    return constructing;
  }

  /**
   * The alarm as the latest turns left it (possibly not yet durable).
   *
   * @return epoch milliseconds, or null
   */
  Long liveAlarm() {
    return turns.read(() -> storage.storage().getAlarm().map(Instant::toEpochMilli).orElse(null));
  }

  /**
   * Runs the alarm handler in a turn; {@code finished} runs in the turn in which it completed.
   *
   * @param info what the handler is told
   * @param finished gets the failure, or null, unless a reset ended the run first
   */
  void runAlarm(AlarmInfo info, Consumer<Throwable> finished) {
    long token = begin(null, null);
    turn(
        () -> {
          CompletionStage<Void> stage;
          try {
            stage = instance.alarm(info);
            if (stage == null) {
              throw new IllegalStateException(
                  instance.getClass().getName() + ".alarm returned null instead of a stage");
            }
          } catch (Throwable t) {
            storage.rollbackTurn(); // a failed synchronous run writes nothing
            endAlarm(token, t, finished);
            return;
          }
          stage.whenComplete(
              (ignored, error) -> turns.onTurn(() -> endAlarm(token, error, finished)).run());
        });
  }

  private void endAlarm(long token, Throwable error, Consumer<Throwable> finished) {
    if (end(token) != null) {
      finished.accept(error == null ? null : Failures.unwrap(error));
    }
  }

  /**
   * Whether the alarm is still the one a run was for.
   *
   * @param scheduled the run's time
   * @return true when the storage holds that alarm
   */
  boolean alarmIs(long scheduled) {
    return storage.storage().getAlarm().map(at -> at.toEpochMilli() == scheduled).orElse(false);
  }

  /** Deletes the alarm (in a turn: the runtime's own write). */
  void deleteAlarm() {
    storage.storage().deleteAlarm();
  }

  /**
   * Undoes the writes of the turn in progress (it failed synchronously).
   */
  void rollbackTurn() {
    storage.rollbackTurn();
  }

  TurnStorage storage() {
    return storage;
  }

  // ---- blockConcurrencyWhile and waitUntil ----------------------------------------------------

  /**
   * Counts a {@code blockConcurrencyWhile} lock as an event in progress.
   *
   * @return its token
   */
  long lock() {
    locks++;
    return begin(null, null);
  }

  /**
   * Releases a lock.
   *
   * @param token its token
   * @return false when a reset ended it already
   */
  boolean unlock(long token) {
    if (end(token) == null) {
      return false;
    }
    locks--;
    return true;
  }

  void backgroundTaskStarted() {
    backgroundTasks++;
  }

  void backgroundTaskEnded() {
    backgroundTasks--;
  }

  // ---- reset ----------------------------------------------------------------------------------

  /**
   * Discards this incarnation: every event in progress and every held output gets {@code reason};
   * nothing scheduled for it runs any more.
   *
   * @param reason why
   * @param forget told the connection of each request that was in progress
   */
  void discard(ObjectResetException reason, Consumer<String> forget) {
    for (Running r : running.values()) {
      if (r.reply() != null) {
        r.reply().accept(Failures.reply(reason));
      }
      if (r.connection() != null) {
        forget.accept(r.connection()); // its acceptance never reached the gateway
      }
    }
    running.clear();
    gate.broken(reason);
    turns.discard();
  }

  /**
   * Whether a batch was in flight when the incarnation was discarded (the journal must finish it
   * before it stops).
   *
   * @return true while one is
   */
  boolean writeInFlight() {
    return commit.inFlight();
  }

  /** The storage host of this incarnation: turn confinement and {@code sync()}. */
  private final class Host implements StorageHost {
    @Override
    public void checkAccess() {
      if (!turns.inTurn() || turns.discarded()) {
        throw new IllegalStateException(
            "The storage of object "
                + shell.id()
                + " was used outside the object's turns (thread "
                + Thread.currentThread().getName()
                + "); use it only in handlers and in continuations of stages Duro returned");
      }
    }

    @Override
    public CompletionStage<Void> sync() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      drainWrites();
      shell.flush();
      // On a reset the stage is dropped: its continuations belong to a discarded instance.
      gate.wait(commit.lastTurn(), () -> done.complete(null));
      return done;
    }

    @Override
    public long currentTimeMillis() {
      return shell.clock().millis();
    }
  }
}

package io.duro.examples;

import static io.duro.examples.SocketMessages.error;
import static io.duro.examples.SocketMessages.json;

import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.LimitExceededException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import io.duro.api.WebSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code game} object: a tic-tac-toe room whose state lives in the object, which is
 * the only one that decides what is a legal move. The first two names to join are X and O (their
 * seats are kept by name, also across restarts), everyone else watches.
 *
 * <ul>
 *   <li>{@code GET /websocket?name=ada} (WebSocket upgrade) → joins. The client receives {@code
 *       {"type":"welcome","you","role"}} (role {@code X}, {@code O} or {@code spectator}), then
 *       everyone receives {@code {"type":"state","game":{...},"online":[...]}}.
 *   <li>A player sends {@code {"type":"move","cell":4}} (cells 0–8, row by row). The object checks
 *       that the game has two players and is not over, that it is the sender's turn and that the
 *       cell is free; a refused move is answered {@code {"type":"error","message"}} to the sender
 *       only. An accepted one is written and sent to everyone as the new state, with the winner and
 *       the winning line, or a draw.
 *   <li>{@code {"type":"rematch"}} from a player of a finished game starts the next round (the
 *       starting mark alternates; the score is kept).
 *   <li>{@code GET /state} → {@code {"game","online"}}; {@code POST /reset} → a new game whose
 *       seats go to the first two names connected now (frees the seats of players who left).
 * </ul>
 *
 * <p>The game is one storage value, {@code game}, written in the turn that accepts a move; the
 * socket's attachment holds only the name, the role is looked up in the game.
 */
public final class GameRoom implements DurableObject {

  static final int MAX_NAME = 32;
  static final int[][] LINES = {
    {0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {0, 3, 6}, {1, 4, 7}, {2, 5, 8}, {0, 4, 8}, {2, 4, 6}
  };
  private static final String EXAMPLE = "{\"type\":\"move\",\"cell\":4} or {\"type\":\"rematch\"}";

  private final DurableObjectState state;
  private final Storage storage;

  /** Who is on a socket; kept with it. */
  public record Seat(String name) {}

  /**
   * A game: the players' names (null while a seat is free), the board (nine cells, row by row, each
   * {@code ""}, {@code "X"} or {@code "O"}), whose turn it is, the outcome ({@code status} {@code
   * waiting}, {@code playing}, {@code won} or {@code draw}), the round and the score.
   */
  public record Game(
      String x,
      String o,
      List<String> board,
      String turn,
      String status,
      String winner,
      List<Integer> line,
      int round,
      Map<String, Integer> score) {

    static Game fresh(String x, String o) {
      return new Game(
          x,
          o,
          Collections.nCopies(9, ""),
          "X",
          x != null && o != null ? "playing" : "waiting",
          null,
          List.of(),
          1,
          new TreeMap<>(Map.of("X", 0, "O", 0, "draw", 0)));
    }

    String roleOf(String name) {
      return name.equals(x) ? "X" : name.equals(o) ? "O" : "spectator";
    }

    boolean over() {
      return status.equals("won") || status.equals("draw");
    }
  }

  /**
   * Creates the room.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public GameRoom(DurableObjectState state, Env env) {
    this.state = state;
    this.storage = state.storage();
    state.setWebSocketAutoResponse("ping", "pong");
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    if (path.equals("/websocket")) {
      Response refused = HttpErrors.unlessUpgrade(request);
      return (refused != null ? refused : join(request)).completed();
    }
    if (path.equals("/reset")) {
      if (!request.method().equals("POST")) {
        return HttpErrors.methodNotAllowed(request.method(), path, "POST").completed();
      }
      List<String> online = online();
      Game game =
          Game.fresh(
              online.size() > 0 ? online.get(0) : null, online.size() > 1 ? online.get(1) : null);
      storage.put("game", game);
      broadcastState(game);
      return Response.json(game).completed();
    }
    if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
      return HttpErrors.methodNotAllowed(request.method(), path, "GET").completed();
    }
    if (path.equals("/state")) {
      return Response.json(HttpErrors.fields("game", game(), "online", online())).completed();
    }
    return HttpErrors.notFound(path).completed();
  }

  private Response join(Request request) {
    String name = SocketMessages.name(request, "name", MAX_NAME);
    if (name == null) {
      return HttpErrors.error(
          400,
          "invalid_name",
          "Join with ?name= of 1 to " + MAX_NAME + " characters without control characters");
    }
    Game game = game();
    if (game.roleOf(name).equals("spectator") && (game.x() == null || game.o() == null)) {
      game = game.x() == null ? Game.fresh(name, game.o()) : Game.fresh(game.x(), name);
      storage.put("game", game);
    }
    WebSocket ws = state.acceptWebSocket(request, "player");
    ws.serializeAttachment(new Seat(name));
    ws.send(json(HttpErrors.fields("type", "welcome", "you", name, "role", game.roleOf(name))));
    broadcastState(game);
    return Response.webSocket(ws);
  }

  @Override
  public CompletionStage<Void> webSocketMessage(WebSocket ws, Object message) {
    try {
      Map<String, Object> m = SocketMessages.parse(message, EXAMPLE);
      String name = ws.deserializeAttachment(Seat.class).name();
      Game game = game();
      String role = game.roleOf(name);
      Game next =
          switch ((String) m.get("type")) {
            case "move" -> move(game, role, m);
            case "rematch" -> rematch(game, role);
            default ->
                throw new InvalidArgumentException(
                    "Unknown message type \"" + m.get("type") + "\"; send " + EXAMPLE);
          };
      storage.put("game", next);
      broadcastState(next);
    } catch (InvalidArgumentException | LimitExceededException e) {
      error(ws, e.getMessage());
    }
    return done();
  }

  private static Game move(Game game, String role, Map<String, Object> m) {
    if (role.equals("spectator")) {
      throw new InvalidArgumentException("Spectators cannot move; X and O are taken");
    }
    if (game.status().equals("waiting")) {
      throw new InvalidArgumentException("Waiting for a second player");
    }
    if (game.over()) {
      throw new InvalidArgumentException(
          "The game is over; send {\"type\":\"rematch\"} to play again");
    }
    if (!game.turn().equals(role)) {
      throw new InvalidArgumentException(
          "It is " + game.turn() + "'s turn, not yours (" + role + ")");
    }
    int cell = (int) SocketMessages.integer(m, "cell", 0, 8);
    if (!game.board().get(cell).isEmpty()) {
      throw new InvalidArgumentException(
          "Cell " + cell + " is taken by " + game.board().get(cell) + "; pick a free one");
    }
    List<String> board = new ArrayList<>(game.board());
    board.set(cell, role);
    for (int[] l : LINES) {
      if (board.get(l[0]).equals(role)
          && board.get(l[1]).equals(role)
          && board.get(l[2]).equals(role)) {
        return new Game(
            game.x(),
            game.o(),
            board,
            role,
            "won",
            role,
            List.of(l[0], l[1], l[2]),
            game.round(),
            scored(game.score(), role));
      }
    }
    if (!board.contains("")) {
      return new Game(
          game.x(),
          game.o(),
          board,
          role,
          "draw",
          null,
          List.of(),
          game.round(),
          scored(game.score(), "draw"));
    }
    return new Game(
        game.x(),
        game.o(),
        board,
        role.equals("X") ? "O" : "X",
        "playing",
        null,
        List.of(),
        game.round(),
        game.score());
  }

  private static Game rematch(Game game, String role) {
    if (role.equals("spectator")) {
      throw new InvalidArgumentException("Only the players can ask for a rematch");
    }
    if (!game.over()) {
      throw new InvalidArgumentException("The game is not over yet; a rematch starts after it");
    }
    int round = game.round() + 1;
    return new Game(
        game.x(),
        game.o(),
        Collections.nCopies(9, ""),
        round % 2 == 1 ? "X" : "O",
        "playing",
        null,
        List.of(),
        round,
        game.score());
  }

  private static Map<String, Integer> scored(Map<String, Integer> score, String outcome) {
    Map<String, Integer> next = new TreeMap<>(score);
    next.merge(outcome, 1, Integer::sum);
    return next;
  }

  @Override
  public CompletionStage<Void> webSocketClose(
      WebSocket ws, int code, String reason, boolean wasClean) {
    broadcastState(game());
    return done();
  }

  @Override
  public CompletionStage<Void> webSocketError(WebSocket ws, Throwable error) {
    return webSocketClose(ws, 1006, String.valueOf(error.getMessage()), false);
  }

  private Game game() {
    return storage.get("game", Game.class).orElse(Game.fresh(null, null));
  }

  private void broadcastState(Game game) {
    String json = json(HttpErrors.fields("type", "state", "game", game, "online", online()));
    for (WebSocket ws : state.getWebSockets("player")) {
      ws.send(json);
    }
  }

  /** The names connected now, in the order their sockets are listed. */
  private List<String> online() {
    Set<String> names = new LinkedHashSet<>();
    for (WebSocket ws : state.getWebSockets("player")) {
      Seat s = ws.deserializeAttachment(Seat.class);
      if (s != null) {
        names.add(s.name());
      }
    }
    return new ArrayList<>(names);
  }

  private static CompletionStage<Void> done() {
    return CompletableFuture.completedFuture(null);
  }
}

package io.duro.examples;

import io.duro.api.AlarmInfo;
import io.duro.api.DurableObject;
import io.duro.api.DurableObjectState;
import io.duro.api.Env;
import io.duro.api.InvalidArgumentException;
import io.duro.api.Request;
import io.duro.api.Response;
import io.duro.api.Storage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code election} object: leader election, one leader per group (one object per
 * group name). Candidates campaign with a lease and renew it by campaigning again (the
 * heartbeat). The first live candidate leads; when the leader's lease lapses — it crashed or lost
 * its network — the object's alarm hands leadership to the longest-waiting candidate that is
 * still renewing. Every new leader gets a term larger than all earlier ones, so a resource that
 * remembers the largest term it saw can refuse a deposed leader (fencing).
 *
 * <ul>
 *   <li>{@code POST /campaign} {@code {"candidate":"a","ttlMs":10000}} → 200 {@code
 *       {"leader","term","expiresAt","elected","candidates"}}; call it again within the TTL;
 *   <li>{@code POST /resign} {@code {"candidate":"a","term":n}} → 200 with the new state, or 409
 *       {@code not_leader};
 *   <li>{@code GET /} → the state.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/election/workers/campaign -d '{"candidate":"node-1","ttlMs":10000}'
 * }</pre>
 */
public final class LeaderElection implements DurableObject {

  /**
   * A candidate and its candidacy lease.
   *
   * @param name who
   * @param ttlMs how long one campaign counts
   * @param expiresAtMillis when its candidacy (and its leadership, if it leads) lapses
   */
  public record Candidate(String name, long ttlMs, long expiresAtMillis) {}

  /**
   * The group's durable state.
   *
   * @param leader the leader's name, or null
   * @param term the current (or last) term, 0 before the first leader
   * @param candidates live candidates, longest-waiting first (the leader among them)
   */
  public record Group(String leader, long term, List<Candidate> candidates) {
    /** Copies the list. */
    public Group {
      candidates = List.copyOf(candidates);
    }
  }

  private static final long MAX_TTL_MS = 3_600_000;
  private static final int MAX_CANDIDATES = 100;
  private static final int MAX_NAME = 128;

  private final Storage storage;
  private final Clock clock;

  /**
   * Creates the group.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public LeaderElection(DurableObjectState state, Env env) {
    this.storage = state.storage();
    this.clock = state.clock();
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    if (path.equals("/")) {
      if (!method.equals("GET")) {
        return HttpErrors.methodNotAllowed(method, path, "GET").completed();
      }
      Group g = current();
      Group now = electIfVacant(g, clock.millis()); // a lease may lapse just before its alarm
      if (!now.equals(g)) {
        save(now);
      }
      return Response.json(view(now, null)).completed();
    }
    if (!path.equals("/campaign") && !path.equals("/resign")) {
      return HttpErrors.notFound(path).completed();
    }
    if (!method.equals("POST")) {
      return HttpErrors.methodNotAllowed(method, path, "POST").completed();
    }
    Map<String, Object> body = request.json(Map.class);
    if (body == null) {
      throw new InvalidArgumentException("Send a JSON object, e.g. {\"candidate\":\"a\"}");
    }
    Object who = body.get("candidate");
    if (!(who instanceof String name) || name.isBlank() || name.length() > MAX_NAME) {
      throw new InvalidArgumentException(
          "candidate must be a non-empty string of at most " + MAX_NAME + " characters; got "
              + who);
    }
    return path.equals("/campaign")
        ? campaign(name, body.get("ttlMs"))
        : resign(name, body.get("term"));
  }

  private CompletionStage<Response> campaign(String name, Object ttl) {
    if (!(ttl instanceof Number n) || n.longValue() <= 0 || n.longValue() > MAX_TTL_MS
        || n.doubleValue() != n.longValue()) {
      throw new InvalidArgumentException(
          "ttlMs must be a whole number of milliseconds from 1 to " + MAX_TTL_MS + "; got " + ttl);
    }
    long now = clock.millis();
    Group g = current();
    List<Candidate> candidates = new ArrayList<>(g.candidates());
    Candidate renewed = new Candidate(name, n.longValue(), now + n.longValue());
    int at = indexOf(candidates, name);
    if (at >= 0) {
      candidates.set(at, renewed); // keeps its place in line
    } else if (candidates.size() >= MAX_CANDIDATES) {
      return HttpErrors.error(
              503,
              "too_many_candidates",
              "A group has at most " + MAX_CANDIDATES + " live candidates; " + name
                  + " was not added")
          .withHeader("Retry-After", "1")
          .completed();
    } else {
      candidates.add(renewed);
    }
    Group next = electIfVacant(new Group(g.leader(), g.term(), candidates), now);
    save(next);
    return Response.json(view(next, name)).completed();
  }

  private CompletionStage<Response> resign(String name, Object term) {
    Group g = current();
    if (!name.equals(g.leader()) || !(term instanceof Number t) || t.longValue() != g.term()) {
      return HttpErrors.error(
              409, "not_leader", name + " does not lead term " + term + " (term " + g.term()
                  + " is led by " + g.leader() + ")")
          .completed();
    }
    List<Candidate> rest = new ArrayList<>(g.candidates());
    rest.remove(indexOf(rest, name));
    Group next = electIfVacant(new Group(null, g.term(), rest), clock.millis());
    save(next);
    return Response.json(view(next, name)).completed();
  }

  /** The lease lapsed: the leader (and every candidate that stopped renewing) is dropped. */
  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    save(electIfVacant(current(), clock.millis()));
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Drops lapsed candidates; when the leader is gone, the longest-waiting live candidate leads a
   * new term.
   */
  private static Group electIfVacant(Group g, long now) {
    List<Candidate> live =
        g.candidates().stream().filter(c -> c.expiresAtMillis() > now).toList();
    String leader = g.leader();
    long term = g.term();
    if (leader != null && indexOf(live, leader) < 0) {
      leader = null; // its lease lapsed
    }
    if (leader == null && !live.isEmpty()) {
      leader = live.get(0).name();
      term++;
    }
    return new Group(leader, term, live);
  }

  private void save(Group g) {
    storage.put("group", g);
    int at = g.leader() == null ? -1 : indexOf(g.candidates(), g.leader());
    if (at < 0) {
      storage.deleteAlarm();
    } else {
      storage.setAlarm(Instant.ofEpochMilli(g.candidates().get(at).expiresAtMillis()));
    }
  }

  private Group current() {
    return storage.get("group", Group.class).orElse(new Group(null, 0, List.of()));
  }

  private static int indexOf(List<Candidate> candidates, String name) {
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static Map<String, Object> view(Group g, String asker) {
    int at = g.leader() == null ? -1 : indexOf(g.candidates(), g.leader());
    Map<String, Object> v =
        HttpErrors.fields(
            "leader", g.leader(),
            "term", g.term(),
            "expiresAt",
            at < 0 ? null : Instant.ofEpochMilli(g.candidates().get(at).expiresAtMillis()).toString(),
            "candidates", g.candidates().stream().map(Candidate::name).toList());
    if (asker != null) {
      v.put("elected", asker.equals(g.leader()));
    }
    return v;
  }
}

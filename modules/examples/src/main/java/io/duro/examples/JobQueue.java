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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The built-in {@code queue} object: sequential processing, one queue per key (e.g. per account,
 * so that its jobs never run concurrently or out of order). Workers pull the job at the head with
 * a visibility timeout and ack it when done; only the head is ever handed out, so job n+1 starts
 * after job n was acked (or given up). Delivery is at least once: when a worker neither acks nor
 * nacks in time, the object's alarm takes the job back and makes it visible again after a
 * backoff that doubles with each attempt; after {@code maxAttempts} the job moves to the dead
 * letters and the queue goes on.
 *
 * <ul>
 *   <li>{@code POST /jobs} {@code {"payload":…}} → 201 {@code {"job":n,"pending":k}};
 *   <li>{@code POST /pull} {@code {"worker":"w1","visibilityMs":30000}} → 200 {@code
 *       {"job":{"id","payload","attempt","receipt"}}}, or {@code {"job":null,"reason":…}} with
 *       {@code empty}, {@code in_flight} or {@code backoff} (and {@code retryAt});
 *   <li>{@code POST /ack} / {@code POST /nack} {@code {"receipt":"…"}} → 200, or 409 {@code
 *       stale_receipt} when the job was taken back meanwhile;
 *   <li>{@code PUT /config} {@code {"maxAttempts":5,"backoffMs":1000}}; {@code GET /} → the queue.
 * </ul>
 *
 * <pre>{@code
 * curl -X POST localhost:8080/queue/account-42/jobs -d '{"payload":{"charge":10}}'
 * curl -X POST localhost:8080/queue/account-42/pull -d '{"worker":"w1","visibilityMs":30000}'
 * }</pre>
 */
public final class JobQueue implements DurableObject {

  /**
   * A job, stored under {@code job:<id>} (20 digits, so keys sort in id order).
   *
   * @param id its number in the queue, from 1
   * @param payload what the producer sent
   * @param attempts deliveries so far
   * @param leasedUntilMillis while delivered: when the worker's visibility timeout ends; else 0
   * @param visibleAtMillis not handed out before this time (backoff after a failed attempt)
   * @param worker the worker it was last delivered to, or null
   */
  public record Job(
      long id,
      Object payload,
      int attempts,
      long leasedUntilMillis,
      long visibleAtMillis,
      String worker) {}

  /**
   * The queue's counters and settings.
   *
   * @param headId the id of the oldest unfinished job (the head when smaller than nextId)
   * @param nextId the id of the next job enqueued
   * @param processed jobs acked so far
   * @param maxAttempts deliveries before a job goes to the dead letters
   * @param backoffMs delay after the first failed attempt; doubles with each next one
   */
  public record Meta(long headId, long nextId, long processed, int maxAttempts, long backoffMs) {
    long pending() {
      return nextId - headId;
    }

    Meta withNextId(long n) {
      return new Meta(headId, n, processed, maxAttempts, backoffMs);
    }

    /** The head job is done (acked, or given up when {@code acked} is false). */
    Meta advanced(boolean acked) {
      return new Meta(headId + 1, nextId, processed + (acked ? 1 : 0), maxAttempts, backoffMs);
    }
  }

  private static final int MAX_PENDING = 10_000;
  private static final long MAX_VISIBILITY_MS = 12 * 3_600_000L;
  private static final long MAX_BACKOFF_MS = 3_600_000;
  private static final int KEPT_DEAD = 100;

  private final Storage storage;
  private final Clock clock;

  /**
   * Creates the queue.
   *
   * @param state the object's state
   * @param env the application's env
   */
  public JobQueue(DurableObjectState state, Env env) {
    this.storage = state.storage();
    this.clock = state.clock();
  }

  @Override
  public CompletionStage<Response> fetch(Request request) {
    String path = request.path();
    String method = request.method();
    String allowed =
        switch (path) {
          case "/" -> "GET";
          case "/config" -> "PUT";
          case "/jobs", "/pull", "/ack", "/nack" -> "POST";
          default -> null;
        };
    if (allowed == null) {
      return HttpErrors.notFound(path).completed();
    }
    if (!method.equals(allowed)) {
      return HttpErrors.methodNotAllowed(method, path, allowed).completed();
    }
    Response response =
        switch (path) {
          case "/" -> Response.json(status());
          case "/config" -> configure(body(request));
          case "/jobs" -> enqueue(body(request));
          case "/pull" -> pull(body(request));
          default -> finish(body(request), path.equals("/ack"));
        };
    return response.completed();
  }

  private Response enqueue(Map<String, Object> body) {
    if (!body.containsKey("payload")) {
      throw new InvalidArgumentException("Give the job as {\"payload\": <any JSON>}");
    }
    Meta meta = meta();
    long pending = meta.pending();
    if (pending >= MAX_PENDING) {
      return HttpErrors.error(
              503, "queue_full",
              "A queue holds at most " + MAX_PENDING + " pending jobs; it has " + pending)
          .withHeader("Retry-After", "1");
    }
    long id = meta.nextId();
    storage.put(
        Map.of(
            key(id), new Job(id, body.get("payload"), 0, 0, 0, null),
            "meta", meta.withNextId(id + 1)));
    return Response.json(201, HttpErrors.fields("job", id, "pending", pending + 1));
  }

  private Response pull(Map<String, Object> body) {
    String worker = name(body.get("worker"), "worker");
    long visibility = millis(body.get("visibilityMs"), "visibilityMs", MAX_VISIBILITY_MS);
    long now = clock.millis();
    Optional<Job> head = head();
    if (head.isEmpty()) {
      return Response.json(HttpErrors.fields("job", null, "reason", "empty"));
    }
    Job job = head.get();
    if (job.leasedUntilMillis() > now) {
      return Response.json(
          HttpErrors.fields(
              "job", null, "reason", "in_flight",
              "retryAt", Instant.ofEpochMilli(job.leasedUntilMillis()).toString()));
    }
    if (job.visibleAtMillis() > now) {
      return Response.json(
          HttpErrors.fields(
              "job", null, "reason", "backoff",
              "retryAt", Instant.ofEpochMilli(job.visibleAtMillis()).toString()));
    }
    Job leased =
        new Job(job.id(), job.payload(), job.attempts() + 1, now + visibility, 0, worker);
    storage.put(key(job.id()), leased);
    storage.setAlarm(Instant.ofEpochMilli(leased.leasedUntilMillis()));
    return Response.json(
        HttpErrors.fields(
            "job",
            HttpErrors.fields(
                "id", leased.id(),
                "payload", leased.payload(),
                "attempt", leased.attempts(),
                "receipt", receipt(leased),
                "visibleUntil", Instant.ofEpochMilli(leased.leasedUntilMillis()).toString())));
  }

  /** Ack (done: the next job may start) or nack (failed: retried after the backoff). */
  private Response finish(Map<String, Object> body, boolean ack) {
    Object receipt = body.get("receipt");
    if (!(receipt instanceof String r) || r.isBlank()) {
      throw new InvalidArgumentException(
          "receipt must be the string /pull returned, e.g. \"3.1\"; got " + receipt);
    }
    Optional<Job> head = head();
    if (head.isEmpty()
        || head.get().leasedUntilMillis() <= clock.millis()
        || !receipt(head.get()).equals(r)) {
      return HttpErrors.error(
          409,
          "stale_receipt",
          "The delivery " + r + " is no longer current: its visibility timeout ended (the job"
              + " will be or was delivered again) or it was finished already");
    }
    Job job = head.get();
    if (ack) {
      Meta meta = meta().advanced(true);
      storage.delete(key(job.id()));
      storage.put("meta", meta);
      storage.deleteAlarm();
      return Response.json(HttpErrors.fields("acked", job.id(), "pending", meta.pending()));
    }
    failed(job, clock.millis());
    return Response.json(HttpErrors.fields("nacked", job.id(), "queue", status()));
  }

  /** The worker's visibility timeout ended without an ack: the attempt failed. */
  @Override
  public CompletionStage<Void> alarm(AlarmInfo info) {
    long now = clock.millis();
    head()
        .filter(j -> j.leasedUntilMillis() != 0 && j.leasedUntilMillis() <= now)
        .ifPresent(j -> failed(j, now));
    return CompletableFuture.completedFuture(null);
  }

  /** Makes the job visible again after its backoff, or moves it to the dead letters. */
  private void failed(Job job, long now) {
    Meta meta = meta();
    storage.deleteAlarm();
    if (job.attempts() >= meta.maxAttempts()) {
      List<Object> dead = new ArrayList<>(storage.get("dead", List.class).orElse(List.of()));
      dead.add(HttpErrors.fields("id", job.id(), "payload", job.payload(),
          "attempts", job.attempts(), "at", Instant.ofEpochMilli(now).toString()));
      while (dead.size() > KEPT_DEAD) {
        dead.remove(0);
      }
      storage.delete(key(job.id()));
      storage.put(Map.of("dead", dead, "meta", meta.advanced(false)));
      return;
    }
    long backoff =
        Math.min(MAX_BACKOFF_MS, meta.backoffMs() << Math.min(20, job.attempts() - 1));
    storage.put(
        key(job.id()),
        new Job(job.id(), job.payload(), job.attempts(), 0, now + backoff, job.worker()));
  }

  private Response configure(Map<String, Object> body) {
    Meta meta = meta();
    int maxAttempts = meta.maxAttempts();
    long backoff = meta.backoffMs();
    if (body.containsKey("maxAttempts")) {
      Object m = body.get("maxAttempts");
      if (!(m instanceof Integer n) || n < 1 || n > 100) {
        throw new InvalidArgumentException("maxAttempts must be a whole number from 1 to 100; got "
            + m);
      }
      maxAttempts = n;
    }
    if (body.containsKey("backoffMs")) {
      backoff = millis(body.get("backoffMs"), "backoffMs", MAX_BACKOFF_MS);
    }
    storage.put(
        "meta", new Meta(meta.headId(), meta.nextId(), meta.processed(), maxAttempts, backoff));
    return Response.json(status());
  }

  private Map<String, Object> status() {
    Meta meta = meta();
    return HttpErrors.fields(
        "pending", meta.pending(),
        "processed", meta.processed(),
        "head", head().orElse(null),
        "maxAttempts", meta.maxAttempts(),
        "backoffMs", meta.backoffMs(),
        "dead", storage.get("dead", List.class).orElse(List.of()));
  }

  private Optional<Job> head() {
    Meta meta = meta();
    return meta.pending() > 0 ? storage.get(key(meta.headId()), Job.class) : Optional.empty();
  }

  private Meta meta() {
    return storage.get("meta", Meta.class).orElse(new Meta(1, 1, 0, 5, 1000));
  }

  private static String key(long id) {
    return String.format("job:%020d", id);
  }

  private static String receipt(Job job) {
    return job.id() + "." + job.attempts();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(Request request) {
    Map<String, Object> body = request.json(Map.class);
    if (body == null) {
      throw new InvalidArgumentException("Send a JSON object");
    }
    return body;
  }

  private static String name(Object value, String field) {
    if (!(value instanceof String s) || s.isBlank() || s.length() > 128) {
      throw new InvalidArgumentException(
          field + " must be a non-empty string of at most 128 characters; got " + value);
    }
    return s;
  }

  private static long millis(Object value, String field, long max) {
    if (!(value instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 1
        || n.longValue() > max) {
      throw new InvalidArgumentException(
          field + " must be a whole number of milliseconds from 1 to " + max + "; got " + value);
    }
    return n.longValue();
  }
}

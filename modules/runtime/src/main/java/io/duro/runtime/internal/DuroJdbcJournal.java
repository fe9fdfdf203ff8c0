package io.duro.runtime.internal;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.Function1;
import scala.collection.immutable.Seq;
import scala.concurrent.Future;
import scala.concurrent.Future$;
import scala.runtime.BoxedUnit;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.SimpleJdbcAction;

/**
 * Pekko Persistence JDBC's journal, recovering a small object in one query instead of two.
 *
 * <p>Pekko replays an object's events in two steps: the journal's highest sequence number for it
 * (one query), then its events up to that number (a second query, read through a Pekko stream).
 * Waking a passivated object paid both, plus the snapshot store's query. This journal reads the
 * object's rows from the replay's start in one query, deleted rows included (they count for the
 * highest number, as in the plugin's own query); when there are at most {@link #MAX_ROWS} of
 * them, the highest number is the last row's and the replay that follows is served from them,
 * without a stream. An object with more rows (a history longer than {@code snapshot-every}), an
 * object whose rows all lie before the start (deleted up to a snapshot), and an object with a
 * write of this journal still in flight (its highest number must wait for that write, as the
 * plugin's does) take the plugin's own path. Writes, deletes and the rows' format are the
 * plugin's. docs/benchmarks.md, "Recovery in one query", has the figures.
 */
public final class DuroJdbcJournal extends JdbcAsyncWriteJournal {

  /** Rows read in the one query; an object with more is recovered the plugin's way. */
  static final int MAX_ROWS = 2_000;

  /** Bound of {@link #read}: entries whose replay did not follow are dropped beyond it. */
  static final int MAX_WAITING = 10_000;

  private final String select;
  private final Serialization serialization;

  /** The write in flight per object, as the plugin tracks it. */
  private final Map<String, Future<?>> writing = new ConcurrentHashMap<>();

  /** Events read with the highest sequence number, waiting for the replay that follows. */
  private final Map<String, Read> read = new ConcurrentHashMap<>();

  private record Read(long from, List<PersistentRepr> events) {}

  private static final AtomicLong REPLAYS_FROM_ONE_QUERY = new AtomicLong();

  /**
   * Replays served from the one query, by every instance in this JVM (tests, diagnostics).
   *
   * @return their number since the JVM started
   */
  public static long replaysFromOneQuery() {
    return REPLAYS_FROM_ONE_QUERY.get();
  }

  /**
   * Created by Pekko Persistence from the plugin's configuration block.
   *
   * @param config {@code jdbc-journal}
   */
  public DuroJdbcJournal(Config config) {
    super(config);
    this.select = select(config.getConfig("tables.event_journal"));
    this.serialization = SerializationExtension.get(system());
  }

  private static String select(Config table) {
    Config c = table.getConfig("columnNames");
    String schema = table.getString("schemaName");
    String name =
        (schema.isEmpty() ? "" : quote(schema) + ".") + quote(table.getString("tableName"));
    return "SELECT "
        + String.join(
            ", ",
            quote(c.getString("sequenceNumber")),
            quote(c.getString("deleted")),
            quote(c.getString("writer")),
            quote(c.getString("writeTimestamp")),
            quote(c.getString("adapterManifest")),
            quote(c.getString("eventPayload")),
            quote(c.getString("eventSerId")),
            quote(c.getString("eventSerManifest")),
            quote(c.getString("metaPayload")),
            quote(c.getString("metaSerId")),
            quote(c.getString("metaSerManifest")))
        + " FROM " + name
        + " WHERE " + quote(c.getString("persistenceId")) + " = ? AND "
        + quote(c.getString("sequenceNumber")) + " >= ?"
        + " ORDER BY " + quote(c.getString("sequenceNumber"))
        + " LIMIT " + (MAX_ROWS + 1);
  }

  /** Quoted as the plugin's Slick profiles quote (H2 and PostgreSQL alike). */
  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    Future<Seq<Try<BoxedUnit>>> future = super.asyncWriteMessages(messages);
    String persistenceId = messages.head().persistenceId();
    writing.put(persistenceId, future);
    future.onComplete(
        done -> {
          writing.remove(persistenceId, future);
          return BoxedUnit.UNIT;
        },
        ec());
    return future;
  }

  @Override
  public Future<Object> asyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    read.remove(persistenceId);
    if (writing.containsKey(persistenceId)) {
      return super.asyncReadHighestSequenceNr(persistenceId, fromSequenceNr);
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Future<List<Row>> rows =
        db().run((DBIOAction) SimpleJdbcAction.apply(
            (Function1<slick.jdbc.JdbcBackend.JdbcActionContext, List<Row>>)
                ctx -> rows(ctx.connection(), persistenceId, fromSequenceNr)));
    return rows.flatMap(
        found -> {
          if (found.size() > MAX_ROWS || (found.isEmpty() && fromSequenceNr > 0)) {
            return super.asyncReadHighestSequenceNr(persistenceId, fromSequenceNr);
          }
          List<PersistentRepr> events = new ArrayList<>(found.size());
          for (Row row : found) {
            if (!row.deleted) {
              events.add(row.repr(serialization, persistenceId));
            }
          }
          // No rows at all from sequence number 0: a new object, whose highest number is 0.
          long highest = found.isEmpty() ? 0L : found.get(found.size() - 1).sequenceNr;
          if (highest > fromSequenceNr) { // else Pekko replays nothing: keep nothing
            if (read.size() >= MAX_WAITING) {
              read.clear(); // replays that never came (a failed recovery): they read again
            }
            read.put(persistenceId, new Read(fromSequenceNr, events));
          }
          return Future$.MODULE$.successful((Object) highest);
        },
        ec());
  }

  @Override
  public Future<BoxedUnit> asyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Function1<PersistentRepr, BoxedUnit> recoveryCallback) {
    Read r = read.remove(persistenceId);
    if (r == null || r.from > fromSequenceNr) {
      return super.asyncReplayMessages(
          persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
    }
    REPLAYS_FROM_ONE_QUERY.incrementAndGet();
    long replayed = 0;
    for (PersistentRepr event : r.events) {
      long seq = event.sequenceNr();
      if (seq > toSequenceNr || replayed >= max) {
        break;
      }
      if (seq >= fromSequenceNr) {
        recoveryCallback.apply(event);
        replayed++;
      }
    }
    return Future$.MODULE$.successful(BoxedUnit.UNIT);
  }

  private List<Row> rows(Connection c, String persistenceId, long from) {
    try (PreparedStatement s = c.prepareStatement(select)) {
      s.setString(1, persistenceId);
      s.setLong(2, from);
      List<Row> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          int metaSerializerId = rs.getInt(10);
          Integer metaSerId = rs.wasNull() ? null : metaSerializerId;
          rows.add(
              new Row(
                  rs.getLong(1),
                  rs.getBoolean(2),
                  rs.getString(3),
                  rs.getLong(4),
                  rs.getString(5),
                  rs.getBytes(6),
                  rs.getInt(7),
                  rs.getString(8),
                  rs.getBytes(9),
                  metaSerId,
                  rs.getString(11)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("reading the events of " + persistenceId + ": " + e, e);
    }
  }

  /** One row of the journal, as the plugin writes it. */
  private record Row(
      long sequenceNr,
      boolean deleted,
      String writer,
      long writeTimestamp,
      String adapterManifest,
      byte[] payload,
      int serializerId,
      String serializerManifest,
      byte[] metaPayload,
      Integer metaSerializerId,
      String metaSerializerManifest) {

    /** The event as the plugin's own replay builds it (payload, metadata, timestamp). */
    PersistentRepr repr(Serialization serialization, String persistenceId) {
      Object event = serialization.deserialize(payload, serializerId, serializerManifest).get();
      PersistentRepr repr =
          PersistentRepr$.MODULE$.apply(
              event, sequenceNr, persistenceId, adapterManifest, false, null, writer);
      if (metaPayload != null && metaSerializerId != null) {
        Object meta =
            serialization
                .deserialize(
                    metaPayload,
                    metaSerializerId,
                    metaSerializerManifest == null ? "" : metaSerializerManifest)
                .get();
        repr = repr.withMetadata(meta);
      }
      return repr.withTimestamp(writeTimestamp);
    }
  }
}

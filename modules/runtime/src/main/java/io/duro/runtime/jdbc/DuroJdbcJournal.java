package io.duro.runtime.jdbc;

import com.typesafe.config.Config;
import io.duro.runtime.ForkSettings;
import io.duro.runtime.internal.Events;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.Function1;
import scala.collection.immutable.Seq;
import scala.concurrent.Future$;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.SimpleJdbcAction;

/**
 * Pekko Persistence JDBC's journal, recovering an object from its newest rows in one or two small
 * queries; with {@code duro.runtime.forks.journal-recovery} off, every call is the plugin's own.
 *
 * <p>Why it exists: the plugin replays in two steps (the highest sequence number, then every event
 * from the start through a stream), and waking a passivated object was dominated by that read.
 *
 * <p>This journal reads the rows a replay needs in one database action and serves both steps from
 * them, without a stream. It reads them newest first, in windows that grow ({@link #WINDOWS}: the
 * newest row, then the newest 16, then every row from the replay's start): an event that clears
 * the storage (an image, see {@link ObjectJournal}, or a {@code deleteAll}) makes every event
 * before it irrelevant, so the replay starts at the newest such event that is not deleted. A
 * window is one query that starts at the object's highest sequence number (found in the primary
 * key's index alone) less the window: H2 does not read an index backwards, so {@code ORDER BY ...
 * DESC LIMIT 1} would read every row. Deleted rows are read too (they count for the highest
 * number, as in the plugin's own query). An object with more than {@link #MAX_ROWS} rows to
 * replay, an object whose rows all lie before the start (deleted up to a snapshot), and an object
 * with a write of this journal still in flight (its highest number must wait for that write, as
 * the plugin's does) take the plugin's own path. Writes, deletes and the rows' format are the
 * plugin's, so either setting reads what the other wrote.
 */
public final class DuroJdbcJournal extends JdbcAsyncWriteJournal {

  /** Rows read from the replay's start; an object with more is recovered the plugin's way. */
  static final int MAX_ROWS = 2_000;

  /**
   * Rows read per try, newest first; the last try reads every row from the replay's start (up to
   * {@link #MAX_ROWS}).
   */
  static final int[] WINDOWS = {1, 16};

  /** Bound of {@link #read}: entries whose replay did not follow are dropped beyond it. */
  static final int MAX_WAITING = 10_000;

  /** Whether recoveries read the newest rows ({@code duro.runtime.forks.journal-recovery}). */
  private final boolean fromNewestRows;

  private final String select;
  private final String selectNewest;
  private final Serialization serialization;

  /** The write in flight per object, as the plugin tracks it. */
  private final Map<String, Future<?>> writing = new ConcurrentHashMap<>();

  /** Events read with the highest sequence number, waiting for the replay that follows. */
  private final Map<String, Read> read = new ConcurrentHashMap<>();

  /**
   * Events read for a replay from {@code from}: all of them up to {@code highest}, or, when
   * {@code image} is past {@code from}, those from the image at {@code image} on.
   */
  private record Read(long from, long highest, long image, List<PersistentRepr> events) {}

  private static final AtomicLong REPLAYS_FROM_ONE_QUERY = new AtomicLong();

  private static final AtomicLong ROWS_READ = new AtomicLong();

  /**
   * Replays served from the one query, by every instance in this JVM (tests, diagnostics).
   *
   * @return their number since the JVM started
   */
  public static long replaysFromOneQuery() {
    return REPLAYS_FROM_ONE_QUERY.get();
  }

  /**
   * Journal rows read by this journal's recoveries (not the plugin's), by every instance in this
   * JVM (tests, diagnostics).
   *
   * @return their number since the JVM started
   */
  public static long rowsRead() {
    return ROWS_READ.get();
  }

  /**
   * Created by Pekko Persistence from the plugin's configuration block.
   *
   * @param config {@code jdbc-journal}
   */
  public DuroJdbcJournal(Config config) {
    super(config);
    this.fromNewestRows = ForkSettings.from(system().settings().config()).journalRecovery();
    Config table = config.getConfig("tables.event_journal");
    this.select = select(table, false);
    this.selectNewest = select(table, true);
    this.serialization = SerializationExtension.get(system());
  }

  /**
   * The query of an object's rows in order: from a sequence number on (parameters: persistence
   * ID, start), or, when {@code newest}, the newest ones (persistence ID, start, persistence ID,
   * count less one: from the highest number less that count, but not before the start).
   */
  private static String select(Config table, boolean newest) {
    Config c = table.getConfig("columnNames");
    String schema = table.getString("schemaName");
    String name =
        (schema.isEmpty() ? "" : quote(schema) + ".") + quote(table.getString("tableName"));
    String pid = quote(c.getString("persistenceId"));
    String seq = quote(c.getString("sequenceNumber"));
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
        + " WHERE " + pid + " = ? AND " + seq
        + (newest
            ? " >= GREATEST(?, (SELECT MAX(" + seq + ") FROM " + name + " WHERE " + pid
                + " = ?) - ?)"
            : " >= ?")
        + " ORDER BY " + seq
        + " LIMIT " + (MAX_ROWS + 1);
  }

  /** Quoted as the plugin's Slick profiles quote (H2 and PostgreSQL alike). */
  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public Future<Seq<Try<BoxedUnit>>> asyncWriteMessages(Seq<AtomicWrite> messages) {
    Future<Seq<Try<BoxedUnit>>> future = super.asyncWriteMessages(messages);
    if (!fromNewestRows) {
      return future;
    }
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
    if (!fromNewestRows || writing.containsKey(persistenceId)) {
      return super.asyncReadHighestSequenceNr(persistenceId, fromSequenceNr);
    }
    @SuppressWarnings({"unchecked", "rawtypes"})
    Future<Replay> replay =
        db().run((DBIOAction) SimpleJdbcAction.apply(
            (Function1<slick.jdbc.JdbcBackend.JdbcActionContext, Replay>)
                ctx -> replay(ctx.connection(), persistenceId, fromSequenceNr)));
    return replay.flatMap(
        found -> {
          if (found == null) {
            return super.asyncReadHighestSequenceNr(persistenceId, fromSequenceNr);
          }
          if (found.highest > fromSequenceNr) { // else Pekko replays nothing: keep nothing
            if (read.size() >= MAX_WAITING) {
              read.clear(); // replays that never came (a failed recovery): they read again
            }
            read.put(
                persistenceId,
                new Read(fromSequenceNr, found.highest, found.image, found.events));
          }
          return Future$.MODULE$.successful((Object) found.highest);
        },
        ec());
  }

  /**
   * The highest sequence number of an object and the events its replay needs: from the image at
   * {@code image} on, or every one after the replay's start when {@code image} is 0.
   */
  private record Replay(long highest, long image, List<PersistentRepr> events) {}

  /**
   * Reads what the replay of an object from {@code from} on needs, newest rows first (see the
   * class comment); null when the plugin's own path must serve it: more than {@link #MAX_ROWS}
   * rows to replay, or no rows from {@code from} on although {@code from} is past the start.
   */
  private Replay replay(Connection c, String persistenceId, long from) {
    for (int window : WINDOWS) {
      List<Row> rows = rows(c, selectNewest, persistenceId, from, window);
      if (rows.isEmpty()) {
        // No rows at all from sequence number 0: a new object, whose highest number is 0.
        return from > 0 ? null : new Replay(0L, 0L, List.of());
      }
      long highest = rows.get(rows.size() - 1).sequenceNr;
      Replay replay = replay(rows, persistenceId);
      if (replay.image > 0 || highest - (window - 1) <= from) { // or the window holds them all
        return replay;
      }
    }
    List<Row> rows = rows(c, select, persistenceId, from, 0);
    if (rows.size() > MAX_ROWS || (rows.isEmpty() && from > 0)) {
      return null;
    }
    return rows.isEmpty() ? new Replay(0L, 0L, List.of()) : replay(rows, persistenceId);
  }

  /**
   * The replay of the rows (oldest first, at least one): the events that are not deleted, from
   * the newest image among them on.
   */
  private Replay replay(List<Row> rows, String persistenceId) {
    List<PersistentRepr> events = new ArrayList<>(rows.size());
    long image = 0;
    for (int i = rows.size() - 1; i >= 0 && image == 0; i--) {
      Row row = rows.get(i);
      if (!row.deleted) {
        PersistentRepr event = row.repr(serialization, persistenceId);
        events.add(event);
        if (event.payload() instanceof Events.TurnsCommitted t && t.batch().cleared()) {
          image = row.sequenceNr;
        }
      }
    }
    Collections.reverse(events);
    return new Replay(rows.get(rows.size() - 1).sequenceNr, image, events);
  }

  @Override
  public Future<BoxedUnit> asyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Function1<PersistentRepr, BoxedUnit> recoveryCallback) {
    Read r = fromNewestRows ? read.remove(persistenceId) : null;
    long to = r == null ? 0 : Math.min(toSequenceNr, r.highest);
    if (r == null
        || r.from > fromSequenceNr
        // a replay that stops before the image, or after fewer events than it holds, needs the
        // events before the image (Pekko's recovery of an object never asks for one)
        || (r.image > fromSequenceNr && (to < r.image || max < to - fromSequenceNr + 1))) {
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

  /** The rows the query selects, oldest first; {@code window} rows for {@link #selectNewest}. */
  private List<Row> rows(Connection c, String query, String persistenceId, long from, int window) {
    try (PreparedStatement s = c.prepareStatement(query)) {
      s.setString(1, persistenceId);
      s.setLong(2, from);
      if (window > 0) {
        s.setString(3, persistenceId);
        s.setLong(4, window - 1);
      }
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
      ROWS_READ.addAndGet(rows.size());
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

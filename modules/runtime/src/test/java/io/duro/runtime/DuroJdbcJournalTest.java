package io.duro.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.duro.runtime.internal.Events;
import io.duro.runtime.jdbc.DuroJdbcJournal;
import io.duro.storage.WriteBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.PersistentRepr;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@link DuroJdbcJournal} replays exactly what Pekko Persistence JDBC's own journal replays, on
 * the same rows, in every case a recovery meets: a new object, a short history read from its
 * start or its middle, a replay bounded by sequence number or count, events deleted up to a
 * snapshot (all of them, too), and a history too long for the one query. Both journals run on
 * one database (H2, then PostgreSQL) and answer the same {@code ReplayMessages}; the replies
 * (events in order, their payloads, sequence numbers, writers, then the highest sequence number)
 * must be equal, and the short histories must have been served by the one query. Histories with
 * images (events that clear the storage) are replayed from their newest image, reading only the
 * newest rows. With {@code duro.runtime.forks.journal-recovery} off, Duro's journal is the
 * plugin's: the same replies, none of them from the one query.
 */
class DuroJdbcJournalTest {

  static final String STOCK =
      """
      stock-journal = ${jdbc-journal}
      stock-journal.class = "org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal"
      """;

  @TempDir Path dataDir;

  /** The stock journal beside Duro's, with Duro's recovery on or off. */
  static String journals(boolean journalRecovery) {
    return STOCK + "duro.runtime.forks.journal-recovery = " + journalRecovery + "\n";
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void replaysAsThePluginDoesOnH2(boolean journalRecovery) throws Exception {
    try (RuntimeFixture node =
        RuntimeFixture.start(dataDir, journals(journalRecovery), EmbeddedJournalTest.APP)) {
      compare(node, journalRecovery);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void replaysAsThePluginDoesOnPostgres(boolean journalRecovery) throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      String overlay = Files.readString(PostgresJournalTest.OVERLAY);
      try (RuntimeFixture node =
          RuntimeFixture.start(
              dataDir,
              overlay + "\n" + db.overrides() + "\n" + journals(journalRecovery),
              EmbeddedJournalTest.APP)) {
        compare(node, journalRecovery);
      }
    }
  }

  private void compare(RuntimeFixture node, boolean journalRecovery) throws Exception {
    var classic = node.system.classicSystem();
    ActorRef duro = Persistence.get(classic).journalFor("jdbc-journal", ConfigFactory.empty());
    ActorRef stock = Persistence.get(classic).journalFor("stock-journal", ConfigFactory.empty());
    BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    ActorRef probe =
        ((ExtendedActorSystem) classic)
            .systemActorOf(Props.create(Collector.class, () -> new Collector(inbox)), "probe");

    write(stock, probe, inbox, "short", 1, 5);
    write(stock, probe, inbox, "deleted-some", 1, 6);
    delete(stock, probe, inbox, "deleted-some", 3);
    write(stock, probe, inbox, "deleted-all", 1, 4);
    delete(stock, probe, inbox, "deleted-all", 4);
    int longHistory = 2_100; // over DuroJdbcJournal.MAX_ROWS
    for (int from = 1; from <= longHistory; from += 300) {
      write(stock, probe, inbox, "long", from, Math.min(longHistory, from + 299));
    }

    long before = DuroJdbcJournal.replaysFromOneQuery();
    same(duro, stock, probe, inbox, "never-written", 1, Long.MAX_VALUE, Long.MAX_VALUE, 0);
    same(duro, stock, probe, inbox, "short", 1, Long.MAX_VALUE, Long.MAX_VALUE, 5);
    same(duro, stock, probe, inbox, "short", 3, Long.MAX_VALUE, Long.MAX_VALUE, 3);
    same(duro, stock, probe, inbox, "short", 1, 2, Long.MAX_VALUE, 2);
    same(duro, stock, probe, inbox, "short", 1, Long.MAX_VALUE, 4, 4);
    same(duro, stock, probe, inbox, "short", 6, Long.MAX_VALUE, Long.MAX_VALUE, 0);
    same(duro, stock, probe, inbox, "deleted-some", 1, Long.MAX_VALUE, Long.MAX_VALUE, 3);
    same(duro, stock, probe, inbox, "deleted-some", 4, Long.MAX_VALUE, Long.MAX_VALUE, 3);
    same(duro, stock, probe, inbox, "deleted-all", 1, Long.MAX_VALUE, Long.MAX_VALUE, 0);
    same(duro, stock, probe, inbox, "deleted-all", 5, Long.MAX_VALUE, Long.MAX_VALUE, 0);
    long shortOnes = DuroJdbcJournal.replaysFromOneQuery() - before;
    same(duro, stock, probe, inbox, "long", 1, Long.MAX_VALUE, Long.MAX_VALUE, longHistory);
    same(duro, stock, probe, inbox, "long", longHistory - 10, Long.MAX_VALUE, Long.MAX_VALUE, 11);
    if (!journalRecovery) {
      write(
          stock, probe, inbox, "imaged", List.of(change(1), image(2), change(3), image(4)));
      long rows = DuroJdbcJournal.rowsRead();
      same(duro, stock, probe, inbox, "imaged", 1, Long.MAX_VALUE, Long.MAX_VALUE, 4);
      assertEquals(0, DuroJdbcJournal.replaysFromOneQuery() - before, "replays of its own");
      assertEquals(0, DuroJdbcJournal.rowsRead() - rows, "rows read by its own queries");
      return;
    }
    // Replays of "short" from 1, 3, with a bound, with a maximum, of "deleted-some" from 1 and
    // 4, of "deleted-all" from 1 (its last row is kept, marked deleted): seven served by the one
    // query. A new object, a start past the end: nothing to replay. The long history is read
    // the plugin's way, except near its end.
    assertEquals(7, shortOnes, "short histories replayed from the one query");
    assertEquals(
        1, DuroJdbcJournal.replaysFromOneQuery() - before - shortOnes,
        "of the long history, only the replay of its last 11 events fits the one query");

    // Events that clear the storage (images): Duro's journal replays from the newest one that
    // is not deleted, the plugin's from the start; the highest number is the same.
    write(
        stock, probe, inbox, "imaged", List.of(change(1), image(2), change(3), image(4), change(5)));
    List<String> all = replay(stock, probe, inbox, "imaged", 1, Long.MAX_VALUE, Long.MAX_VALUE);
    long rows = DuroJdbcJournal.rowsRead();
    assertEquals(
        all.subList(3, 6), // the image at 4, the change at 5, the highest number
        replay(duro, probe, inbox, "imaged", 1, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(1 + 5, DuroJdbcJournal.rowsRead() - rows, "the newest row, then all five");
    write(stock, probe, inbox, "image-last", List.of(change(1), change(2), image(3)));
    all = replay(stock, probe, inbox, "image-last", 1, Long.MAX_VALUE, Long.MAX_VALUE);
    rows = DuroJdbcJournal.rowsRead();
    assertEquals(
        all.subList(2, 4), // the image at 3, the highest number
        replay(duro, probe, inbox, "image-last", 1, Long.MAX_VALUE, Long.MAX_VALUE));
    assertEquals(1, DuroJdbcJournal.rowsRead() - rows, "the newest row alone");
    // A replay that stops before the newest image, or after fewer events than there are, is the
    // plugin's replay: it needs the events before the image.
    same(duro, stock, probe, inbox, "imaged", 1, 3, Long.MAX_VALUE, 3);
    same(duro, stock, probe, inbox, "imaged", 1, Long.MAX_VALUE, 2, 2);
    same(duro, stock, probe, inbox, "imaged", 4, Long.MAX_VALUE, Long.MAX_VALUE, 2);
    delete(stock, probe, inbox, "imaged", 4); // the newest image is deleted: replay what is left
    same(duro, stock, probe, inbox, "imaged", 1, Long.MAX_VALUE, Long.MAX_VALUE, 1);
  }

  /** A journal event that changes one key. */
  private static Events.TurnsCommitted change(int seq) {
    return new Events.TurnsCommitted(
        new WriteBatch(false, Map.of("k" + seq, new byte[] {1}), Set.of(), false, null, true));
  }

  /** A journal event that clears the storage first (what an image is). */
  private static Events.TurnsCommitted image(int seq) {
    return new Events.TurnsCommitted(
        new WriteBatch(true, Map.of("k" + seq, new byte[] {2}), Set.of(), true, null, true));
  }

  /** Replays {@code pid} through both journals and compares what they answer. */
  private static void same(
      ActorRef duro,
      ActorRef stock,
      ActorRef probe,
      BlockingQueue<Object> inbox,
      String pid,
      long from,
      long to,
      long max,
      int expectedEvents)
      throws InterruptedException {
    List<String> expected = replay(stock, probe, inbox, pid, from, to, max);
    List<String> actual = replay(duro, probe, inbox, pid, from, to, max);
    String what = pid + " from " + from + " to " + to + " max " + max;
    assertEquals(expected, actual, what);
    assertEquals(expectedEvents + 1, actual.size(), what + ": events and the highest number");
  }

  private static List<String> replay(
      ActorRef journal,
      ActorRef probe,
      BlockingQueue<Object> inbox,
      String pid,
      long from,
      long to,
      long max)
      throws InterruptedException {
    journal.tell(
        new JournalProtocol.ReplayMessages(from, to, max, pid, probe), ActorRef.noSender());
    List<String> replies = new ArrayList<>();
    while (true) {
      Object reply = inbox.poll(20, TimeUnit.SECONDS);
      assertNotNull(reply, "no reply to the replay of " + pid);
      if (reply instanceof JournalProtocol.ReplayedMessage m) {
        PersistentRepr p = m.persistent();
        replies.add(
            p.sequenceNr() + " " + p.payload() + " " + p.persistenceId() + " " + p.writerUuid()
                + " " + p.manifest() + " " + p.deleted() + " " + (p.timestamp() > 0));
      } else if (reply instanceof JournalProtocol.RecoverySuccess s) {
        replies.add("highest " + s.highestSequenceNr());
        return replies;
      } else {
        throw new AssertionError("unexpected reply to the replay of " + pid + ": " + reply);
      }
    }
  }

  private static void write(
      ActorRef journal, ActorRef probe, BlockingQueue<Object> inbox, String pid, int from, int to)
      throws InterruptedException {
    List<Object> events = new ArrayList<>();
    for (int seq = from; seq <= to; seq++) {
      events.add("event-" + seq);
    }
    write(journal, probe, inbox, pid, from, events);
  }

  private static void write(
      ActorRef journal, ActorRef probe, BlockingQueue<Object> inbox, String pid, List<?> events)
      throws InterruptedException {
    write(journal, probe, inbox, pid, 1, events);
  }

  /** Writes the events with sequence numbers from {@code from} on. */
  private static void write(
      ActorRef journal,
      ActorRef probe,
      BlockingQueue<Object> inbox,
      String pid,
      int from,
      List<?> events)
      throws InterruptedException {
    List<PersistentEnvelope> writes = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      writes.add(
          AtomicWrite.apply(
              PersistentRepr$.MODULE$.apply(
                  events.get(i), from + i, pid, "", false, ActorRef.noSender(), "writer-1")));
    }
    journal.tell(
        new JournalProtocol.WriteMessages(CollectionConverters.asScala(writes).toSeq(), probe, 1),
        ActorRef.noSender());
    for (int i = 0; i <= writes.size(); i++) { // one reply per event, then "all written"
      Object reply = inbox.poll(20, TimeUnit.SECONDS);
      assertNotNull(reply, "no reply to the write of " + pid);
      assertTrue(
          reply instanceof JournalProtocol.WriteMessageSuccess
              || reply instanceof JournalProtocol.WriteMessagesSuccessful$,
          "writing " + pid + ": " + reply);
    }
  }

  private static void delete(
      ActorRef journal, ActorRef probe, BlockingQueue<Object> inbox, String pid, long to)
      throws InterruptedException {
    journal.tell(new JournalProtocol.DeleteMessagesTo(pid, to, probe), ActorRef.noSender());
    assertInstanceOf(
        org.apache.pekko.persistence.DeleteMessagesSuccess.class, inbox.poll(20, TimeUnit.SECONDS));
  }

  /** Hands every message it receives to the test. */
  static final class Collector extends AbstractActor {
    private final BlockingQueue<Object> inbox;

    Collector(BlockingQueue<Object> inbox) {
      this.inbox = inbox;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(inbox::add).build();
    }
  }
}

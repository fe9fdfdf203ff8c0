package io.duro.gateway;

import io.duro.runtime.connections.Connections;
import io.duro.runtime.connections.Connections.EventKind;
import java.time.Duration;
import java.util.ArrayDeque;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one server-sent event stream held by this gateway: the events an object pushes, in
 * the {@code text/event-stream} format, with a keep-alive comment while idle. The client going
 * away ends the stream and tells the object ({@code eventStreamClose}); a client too slow to take
 * the events makes the buffer overflow its bound, and the stream is ended.
 */
final class EventStreamSource extends GraphStage<SourceShape<ByteString>> {

  private static final Logger log = LoggerFactory.getLogger(EventStreamSource.class);
  private static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");

  private final Outlet<ByteString> out = Outlet.create("EventStreamSource.out");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final Connections connections;
  private final String id;
  private final int buffer;
  private final Duration keepAlive;

  EventStreamSource(Connections connections, String id, int buffer, Duration keepAlive) {
    this.connections = connections;
    this.id = id;
    this.buffer = buffer;
    this.keepAlive = keepAlive;
  }

  @Override
  public SourceShape<ByteString> shape() {
    return shape;
  }

  /** One event in the wire format: optional {@code id:} and {@code event:} lines, one {@code data:} per line. */
  static ByteString format(String id, String event, String data) {
    StringBuilder b = new StringBuilder(data.length() + 16);
    if (id != null) {
      b.append("id: ").append(id).append('\n');
    }
    if (event != null) {
      b.append("event: ").append(event).append('\n');
    }
    for (String line : data.split("\r\n|\r|\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    return ByteString.fromString(b.append('\n').toString());
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private final ArrayDeque<ByteString> queue = new ArrayDeque<>();
      private boolean objectClosed;
      private boolean ending;
      private boolean idle = true;
      private final AsyncCallback<Connections.Signal> signals = createAsyncCallback(this::onSignal);

      {
        setHandler(out, new ClientOutHandler(this::flush, this::completeStage));
      }

      @Override
      public void preStart() {
        connections.attach(id, signals::invoke);
        scheduleWithFixedDelay("keep-alive", keepAlive, keepAlive);
      }

      @Override
      public void postStop() {
        connections.ended(id, !objectClosed, EventKind.CLOSE, 1001, "the client went away", true);
      }

      @Override
      public void onTimer(Object key) {
        if (idle && queue.isEmpty()) {
          emitChunk(KEEP_ALIVE);
        }
        idle = true;
      }

      private void onSignal(Connections.Signal signal) {
        if (ending) {
          return;
        }
        if (signal instanceof Connections.Send s) {
          if (queue.size() >= buffer) {
            log.info("Ending event stream {}: buffer of {} events exceeded", id, buffer);
            queue.clear();
            ending = true;
            flush();
            return;
          }
          idle = false;
          emitChunk(format(s.eventId(), s.event(), s.text()));
        } else if (signal instanceof Connections.Close) {
          objectClosed = true;
          ending = true;
          flush();
        }
      }

      private void emitChunk(ByteString chunk) {
        queue.add(chunk);
        flush();
      }

      private void flush() {
        while (isAvailable(out) && !queue.isEmpty()) {
          push(out, queue.poll());
        }
        if (ending && queue.isEmpty()) {
          completeStage();
        }
      }
    };
  }
}

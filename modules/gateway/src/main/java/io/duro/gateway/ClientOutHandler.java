package io.duro.gateway;

import org.apache.pekko.stream.stage.AbstractOutHandler;

/**
 * The outlet handler of a stage that writes to a client connection (a WebSocket, an event
 * stream): it writes what is queued when the connection can take it, and ends the stage when the
 * client goes away.
 */
final class ClientOutHandler extends AbstractOutHandler {

  private final Runnable flush;
  private final Runnable complete;

  /**
   * @param flush writes what is queued, if anything
   * @param complete ends the stage
   */
  ClientOutHandler(Runnable flush, Runnable complete) {
    this.flush = flush;
    this.complete = complete;
  }

  @Override
  public void onPull() {
    flush.run();
  }

  @Override
  public void onDownstreamFinish(Throwable cause) {
    complete.run();
  }
}

package io.duro.gateway;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code duro.gateway} settings (see {@code reference.conf}).
 *
 * @param host interface to bind
 * @param port port to bind (0 picks a free one)
 * @param maxBodyBytes largest accepted request body
 * @param bodyTimeout how long to wait for a request body
 * @param shutdownDrain how long a shutting-down gateway, once unbound, keeps its open connections,
 *     answering 503 {@code shutting_down} and closing each connection a request arrives on, before
 *     it closes the idle ones; it stops sooner once no request came for a fifth of it
 * @param shutdownDeadline how long a shutting-down gateway waits for the requests in flight
 * @param websocketFork whether WebSockets run on the gateway's own stage through Pekko HTTP's
 *     internals ({@code on}), or through Pekko HTTP's public message API ({@code off})
 */
public record GatewaySettings(
    String host,
    int port,
    long maxBodyBytes,
    Duration bodyTimeout,
    Duration shutdownDrain,
    Duration shutdownDeadline,
    boolean websocketFork) {

  /**
   * Reads the settings.
   *
   * @param config the whole configuration
   * @return the settings
   */
  public static GatewaySettings from(Config config) {
    Config c = config.getConfig("duro.gateway");
    GatewaySettings s =
        new GatewaySettings(
            c.getString("host"),
            c.getInt("port"),
            c.getBytes("max-body-bytes"),
            c.getDuration("body-timeout"),
            c.getDuration("shutdown-drain"),
            c.getDuration("shutdown-deadline"),
            c.getBoolean("websocket-fork"));
    if (s.port < 0 || s.port > 65535) {
      throw new IllegalArgumentException("duro.gateway.port must be 0..65535; it is " + s.port);
    }
    if (s.maxBodyBytes <= 0) {
      throw new IllegalArgumentException(
          "duro.gateway.max-body-bytes must be positive; it is " + s.maxBodyBytes);
    }
    if (s.shutdownDrain.isNegative()) {
      throw new IllegalArgumentException(
          "duro.gateway.shutdown-drain must not be negative; it is " + s.shutdownDrain);
    }
    return s;
  }
}

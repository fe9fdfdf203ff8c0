package io.duro.runtime;

/**
 * A starting node did not become an Up member of its cluster within {@code
 * duro.cluster.join-timeout}: its seed nodes are down, unreachable, or do not admit it.
 */
public final class ClusterJoinException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ClusterJoinException(String message) {
    super(message);
  }
}

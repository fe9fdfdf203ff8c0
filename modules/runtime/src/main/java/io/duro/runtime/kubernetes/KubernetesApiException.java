package io.duro.runtime.kubernetes;

/**
 * A call to the Kubernetes API failed, or the API cannot be used from here (no API server
 * address, no readable token or CA certificate). The message names what is missing or wrong.
 */
public final class KubernetesApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  KubernetesApiException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /**
   * The HTTP status the API server answered, or 0 when it was not reached.
   *
   * @return the status
   */
  public int status() {
    return status;
  }

  /**
   * Whether trying again may help: the server was not reached or answered 5xx (or 429).
   *
   * @return true for a transient failure
   */
  public boolean isTransient() {
    return status == 0 && getCause() instanceof java.io.IOException
        || status >= 500
        || status == 429;
  }
}

package io.duro.gateway;

import io.duro.api.DuroException;

/**
 * A request the gateway itself refuses or fails, with the error code its answer carries: {@code
 * not_found} (no route), {@code body_too_large}, {@code worker_error} (the application's Worker
 * failed). The status follows from the code ({@link ErrorBody#statusOf}).
 */
final class GatewayException extends DuroException {
  private static final long serialVersionUID = 1L;

  private final String code;

  GatewayException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  GatewayException(String code, String message) {
    this(code, message, null);
  }

  @Override
  public String code() {
    return code;
  }
}

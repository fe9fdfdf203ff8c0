package io.duro.runtime.internal;

/** What an object entity answers to a {@link ObjectCommand.Deliver}. */
public sealed interface ObjectReply extends CborSerializable {

  /**
   * The object's response.
   *
   * @param response the response
   */
  record Ok(WireRequest.Resp response) implements ObjectReply {}

  /**
   * The request failed.
   *
   * @param code the error code (see {@code io.duro.api.DuroException#code()})
   * @param message what happened
   * @param retryable whether a retry may succeed
   * @param retryAfterMillis suggested wait for a retry, 0 when none
   */
  record Failed(String code, String message, boolean retryable, long retryAfterMillis)
      implements ObjectReply {}
}

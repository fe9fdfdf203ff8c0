package io.duro.runtime.object;

import io.duro.api.DuroException;
import io.duro.api.ObjectResetException;
import io.duro.api.OverloadedException;
import io.duro.runtime.internal.ObjectReply;
import java.util.concurrent.CompletionException;

/** How an object's failures are described and answered: one wording for every path. */
final class Failures {

  private Failures() {}

  /**
   * The cause inside a stage's completion wrappers.
   *
   * @param t what a stage failed with
   * @return the cause
   */
  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The reply that carries a failure to the caller.
   *
   * @param e the failure
   * @return the reply
   */
  static ObjectReply.Failed reply(DuroException e) {
    long retryAfter =
        e instanceof OverloadedException o && o.retryAfter() != null
            ? o.retryAfter().toMillis()
            : 0;
    return new ObjectReply.Failed(e.code(), e.getMessage(), e.isRetryable(), retryAfter);
  }

  /**
   * A failure of user code that resets the object.
   *
   * @param what the code that failed, e.g. the class's simple name
   * @param cause what it threw
   * @param suffix appended to the message (e.g. "; the object was reset"), or empty
   * @return the reset
   */
  static ObjectResetException objectError(String what, Throwable cause, String suffix) {
    return new ObjectResetException(
        "object_error",
        what
            + " threw "
            + cause.getClass().getName()
            + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
            + suffix,
        false,
        cause);
  }

  /**
   * A failure of the object's storage: retryable, the object is reset or stopped.
   *
   * @param message what happened
   * @param cause the failure, or null
   * @return the reset
   */
  static ObjectResetException storageFailed(String message, Throwable cause) {
    return new ObjectResetException("storage_failed", message, true, cause);
  }
}

package com.example.hello;

import java.util.concurrent.CompletionStage;

/** What other code may call on a {@link Counter}, through {@code stub.as(CounterApi.class)}. */
public interface CounterApi {

  /** Adds {@code by} and returns the new value. */
  CompletionStage<Long> increment(long by);

  /** The current value. */
  CompletionStage<Long> value();
}

package io.duro.storage.jmh;

import io.duro.api.ListOptions;
import io.duro.storage.ObjectStorage;
import io.duro.storage.StorageHost;
import io.duro.storage.StorageLimits;
import io.duro.storage.StoredEntries;
import io.duro.storage.ValueCodec;
import io.duro.storage.WriteBatch;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The storage engine without an actor system: one object's {@link ObjectStorage} holding {@code
 * keys} entries, as a turn sees it. Run by {@code bench/storage-jmh.sh}; not part of the build's
 * tests (the sources live in {@code src/jmh}, outside Maven's source roots).
 *
 * <ul>
 *   <li>{@code get}: a read of an existing key (decode included);
 *   <li>{@code putAndDrain}: one put and the end of its turn (the batch the journal would get);
 *   <li>{@code list100}: a prefix-free range of 100 entries from a random start;
 *   <li>{@code encodeRecord} / {@code decodeRecord}: the value codec on a typical small record.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StorageBenchmark {

  /** A typical value: a small record with a string, a number and a list. */
  public record Profile(String name, long visits, java.util.List<String> tags) {}

  @Param({"1000", "100000"})
  public int keys;

  private ObjectStorage storage;
  private ValueCodec codec;
  private String[] names;
  private int next;
  private byte[] encodedProfile;
  private final Profile profile = new Profile("ada", 42, java.util.List.of("a", "b", "c"));

  @Setup(Level.Trial)
  public void fill() {
    codec = ValueCodec.create();
    StoredEntries entries = StoredEntries.empty();
    names = new String[keys];
    storage = new ObjectStorage(entries, StorageLimits.DEFAULT, codec, new AlwaysInTurn());
    for (int i = 0; i < keys; i++) {
      names[i] = String.format("key-%08d", i);
      storage.put(names[i], (long) i);
      if (i % 100 == 99) {
        storage.drainTurn(); // turns of 100 puts; the live map is the storage's own
      }
    }
    storage.drainTurn();
    encodedProfile = codec.encode(profile);
  }

  private String nextKey() {
    next = (next * 1103515245 + 12345) & 0x7fffffff;
    return names[next % keys];
  }

  @Benchmark
  public Object get() {
    return storage.get(nextKey(), Long.class);
  }

  @Benchmark
  public WriteBatch putAndDrain() {
    storage.put(nextKey(), 7L);
    return storage.drainTurn();
  }

  @Benchmark
  public Map<String, Long> list100() {
    return storage.list(ListOptions.builder().start(nextKey()).limit(100).build(), Long.class);
  }

  @Benchmark
  public byte[] encodeRecord() {
    return codec.encode(profile);
  }

  @Benchmark
  public Profile decodeRecord() {
    return codec.decode(encodedProfile, Profile.class);
  }

  /** The runtime's host, reduced to "every call is on the object's turn". */
  private static final class AlwaysInTurn implements StorageHost {
    @Override
    public void checkAccess() {}

    @Override
    public CompletionStage<Void> sync() {
      return CompletableFuture.completedFuture(null);
    }
  }
}

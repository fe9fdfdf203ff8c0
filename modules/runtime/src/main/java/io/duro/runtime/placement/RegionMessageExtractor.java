package io.duro.runtime.placement;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Shard IDs {@code <region>-<n>} from entity IDs {@code <hex>@<region>} (see {@link ObjectAddress}),
 * so that {@link RegionShardAllocationStrategy} sees the region of every shard.
 *
 * @param <M> the entity's message type
 */
public final class RegionMessageExtractor<M>
    extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {
  private final int shardsPerRegion;

  /**
   * Creates the extractor.
   *
   * @param shardsPerRegion {@code pekko.cluster.sharding.number-of-shards}
   */
  public RegionMessageExtractor(int shardsPerRegion) {
    this.shardsPerRegion = shardsPerRegion;
  }

  @Override
  public String entityId(ShardingEnvelope<M> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return ObjectAddress.shardId(entityId, shardsPerRegion);
  }

  @Override
  public M unwrapMessage(ShardingEnvelope<M> envelope) {
    return envelope.message();
  }
}

/**
 * Where objects live: each object's region, its address and sharding entity ID, the shards of
 * each region and the strategy that keeps them on nodes of that region.
 */
package io.duro.runtime.placement;

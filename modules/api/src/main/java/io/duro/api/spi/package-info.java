/**
 * Service interfaces the Duro runtime implements for the SDK. User code does not implement them.
 *
 * <pre>{@code
 * ServiceLoader.load(JsonCodec.class).findFirst();
 * }</pre>
 */
package io.duro.api.spi;

/**
 * The node's WebSockets and event streams: the registry that outlives objects (hibernation), the
 * per-object tables of accepted connections, and the janitor that closes orphans.
 */
package io.duro.runtime.connections;

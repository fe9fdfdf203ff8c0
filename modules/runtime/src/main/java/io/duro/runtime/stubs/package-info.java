/**
 * Calling objects: namespaces and stubs as user code sees them, object IDs, the client that sends
 * requests to objects through sharding (with retries of what never reached a handler), typed RPC.
 */
package io.duro.runtime.stubs;

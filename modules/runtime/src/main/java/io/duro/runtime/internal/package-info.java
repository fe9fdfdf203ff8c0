/**
 * What is written to the wire between nodes or into the journal: the object protocol, its
 * replies, requests and responses on the wire, the journal events and their serializer. Their
 * class names are sent and stored, so they stay in this package: moving one breaks rolling
 * upgrades or the reading of existing journals.
 */
package io.duro.runtime.internal;

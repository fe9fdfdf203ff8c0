/**
 * Durable alarms across objects: the index of pending alarms in the journal database, and the
 * scheduler that wakes objects whose alarm is due while they are not in memory.
 */
package io.duro.runtime.alarms;

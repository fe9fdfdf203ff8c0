/**
 * One Durable Object at run time: a thin sharded actor ({@link io.duro.runtime.object.ObjectEntity})
 * over plain-Java units that run without an actor: the lifecycle across incarnations, one
 * incarnation per activation, turns, the input and output gates, group commit, the alarm state
 * machine, and the storage seam a backend implements.
 */
package io.duro.runtime.object;

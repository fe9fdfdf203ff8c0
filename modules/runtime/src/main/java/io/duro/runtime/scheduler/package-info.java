/**
 * The node's Pekko scheduler: Duro's heap scheduler by default, Pekko's own when switched off.
 */
package io.duro.runtime.scheduler;

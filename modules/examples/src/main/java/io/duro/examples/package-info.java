/**
 * Example Durable Objects that ship with the node's built-in application.
 *
 * <pre>{@code
 * curl -X POST localhost:8080/counter/a/increment   # {"value":1}
 * }</pre>
 */
package io.duro.examples;

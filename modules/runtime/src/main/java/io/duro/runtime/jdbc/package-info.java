/**
 * The journal database: the connection pools every store shares, the embedded H2 journal and its
 * housekeeping, and Duro's subclass of the JDBC journal plugin.
 */
package io.duro.runtime.jdbc;

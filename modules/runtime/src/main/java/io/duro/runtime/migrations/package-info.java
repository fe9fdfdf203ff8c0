/**
 * The application manifest ({@code duro.json}) and its migrations: parsing, rules, the plan, and
 * the record of applied tags in the journal database.
 */
package io.duro.runtime.migrations;

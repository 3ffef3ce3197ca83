/**
 * The hang watchdog and the crash reporter (uncaught exceptions, exits without
 * {@code end()}). Internal: not part of the public API.
 */
package io.datacat.client.watch;

/**
 * The per-session pipeline behind {@code Session}: fronts (rings) that game threads write
 * to, and the sender thread that numbers, aggregates, encodes and delivers their records
 * to the daemon. Internal: not part of the public API.
 */
package io.datacat.client.send;

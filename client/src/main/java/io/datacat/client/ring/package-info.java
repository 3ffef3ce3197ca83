/**
 * The bounded multi-producer ring that hands logging calls from game threads to the sender
 * thread without locks or allocation. Internal: not part of the public API.
 */
package io.datacat.client.ring;

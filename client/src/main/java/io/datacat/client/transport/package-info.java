/**
 * Finding, starting and talking to the local daemon. Internal: not part of the public API.
 */
package io.datacat.client.transport;

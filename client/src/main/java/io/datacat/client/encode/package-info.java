/**
 * JSON encoding of records on the sender thread. Internal: not part of the public API.
 */
package io.datacat.client.encode;

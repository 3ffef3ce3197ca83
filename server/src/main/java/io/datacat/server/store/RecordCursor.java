package io.datacat.server.store;

import io.datacat.protocol.Source;

/** A position in a session's records ordered by (ts, src, seq): a page starts after it. */
public record RecordCursor(long ts, Source src, long seq) {
}

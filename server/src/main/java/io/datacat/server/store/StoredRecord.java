package io.datacat.server.store;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Source;

/**
 * A record read back. {@code body} is the JSON object text of its fields other than
 * {@code sid}, {@code src}, {@code seq}, {@code kind} and {@code ts}.
 */
public record StoredRecord(Source src, long seq, RecordKind kind, long ts, String body) {

    /** Where this record sits in the (ts, src, seq) order, for the next page. */
    public RecordCursor cursor() {
        return new RecordCursor(ts, src, seq);
    }
}

package io.datacat.server.store;

import io.datacat.protocol.RecordKind;

/** How many records of a session the server stored, in total and for the kinds a user asks about. */
public record RecordCounts(long records, long events, long exceptions, long metrics, long states) {
    public static final RecordCounts ZERO = new RecordCounts(0, 0, 0, 0, 0);

    /** These counts plus one record of {@code kind}. */
    public RecordCounts plus(RecordKind kind) {
        return new RecordCounts(records + 1,
                events + (kind == RecordKind.EVENT ? 1 : 0),
                exceptions + (kind == RecordKind.EXCEPTION ? 1 : 0),
                metrics + (kind == RecordKind.METRIC ? 1 : 0),
                states + (kind == RecordKind.STATE ? 1 : 0));
    }
}

package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.RecordKind;

import java.util.Objects;

/**
 * A record the server makes for one of its compatible single-record routes, before it gets
 * its place ({@code src=api}, next seq) in the session.
 *
 * @param ts     the record time (µs), or null for the server's current time
 * @param fields the record's own fields (everything but the common ones)
 */
public record ApiRecord(RecordKind kind, Long ts, ObjectNode fields) {
    public ApiRecord {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(fields, "fields");
    }
}

package io.datacat.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One validated record. {@code body} is the whole record as JSON (common fields included),
 * already checked against the protocol; treat it as read-only.
 */
public record WireRecord(String sid, Source src, long seq, RecordKind kind, long ts, ObjectNode body) {

    /** A string field of the body, or null when absent. */
    public String text(String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A numeric field of the body, or {@code fallback} when absent. */
    public double number(String field, double fallback) {
        JsonNode v = body.get(field);
        return v == null || !v.isNumber() ? fallback : v.asDouble();
    }

    /** An integer field of the body, or {@code fallback} when absent. */
    public long integer(String field, long fallback) {
        JsonNode v = body.get(field);
        return v == null || !v.isNumber() ? fallback : v.asLong();
    }

    /** The event or metric name; null for kinds without one. */
    public String name() {
        return text("name");
    }

    /** The identity used for exactly-once application. */
    public String identity() {
        return sid + "/" + src.wire() + "/" + seq;
    }
}

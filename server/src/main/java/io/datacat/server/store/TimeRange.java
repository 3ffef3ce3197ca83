package io.datacat.server.store;

/** A span of record times in µs, both ends included. */
public record TimeRange(long first, long last) {
    public TimeRange {
        if (last < first) {
            throw new IllegalArgumentException("a time range ends before it starts: " + first + " > " + last);
        }
    }
}

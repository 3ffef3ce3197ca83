package io.datacat.server.store;

import io.datacat.protocol.RecordKind;

import java.util.EnumSet;
import java.util.Set;

/**
 * The groups of record kinds a session page shows together. Stored as a column and indexed
 * with the session and time, so "the events (and exceptions) of a session, by time" is one
 * index range instead of a sort over all of its records.
 */
public enum RecordStream {
    LIFECYCLE(0, EnumSet.of(RecordKind.SESSION_START, RecordKind.END, RecordKind.CRASH, RecordKind.HANG,
            RecordKind.RECOVERED)),
    EVENTS(1, EnumSet.of(RecordKind.EVENT, RecordKind.EXCEPTION)),
    METRICS(2, EnumSet.of(RecordKind.METRIC)),
    STATE(3, EnumSet.of(RecordKind.STATE));

    /** The stream of each kind, by ordinal: this is asked once per stored record. */
    private static final RecordStream[] BY_KIND = new RecordStream[RecordKind.values().length];

    static {
        for (RecordStream s : values()) {
            for (RecordKind k : s.kinds) {
                BY_KIND[k.ordinal()] = s;
            }
        }
        for (RecordKind k : RecordKind.values()) {
            if (BY_KIND[k.ordinal()] == null) {
                throw new IllegalStateException("no stream for " + k);
            }
        }
    }

    private final int code;
    private final Set<RecordKind> kinds;

    RecordStream(int code, Set<RecordKind> kinds) {
        this.code = code;
        this.kinds = kinds;
    }

    /** The stored value. */
    public int code() {
        return code;
    }

    public Set<RecordKind> kinds() {
        return kinds;
    }

    public static RecordStream of(RecordKind kind) {
        return BY_KIND[kind.ordinal()];
    }

    /** The one stream holding all of {@code kinds}, or null when they span several. */
    public static RecordStream covering(Set<RecordKind> kinds) {
        RecordStream found = null;
        for (RecordKind k : kinds) {
            RecordStream s = of(k);
            if (found != null && found != s) {
                return null;
            }
            found = s;
        }
        return found;
    }
}

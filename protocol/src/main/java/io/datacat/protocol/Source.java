package io.datacat.protocol;

/**
 * The sequence space a record belongs to. Each space numbers its records from 1 without
 * gaps, so {@code (session, source, seq)} identifies a record for exactly-once delivery.
 */
public enum Source {
    /** The app's client library, or the daemon on behalf of a compatible (HTTP) client. */
    APP("app", 0),
    /** The daemon's own reports: crash on the app's death, hang of a frozen process. */
    DAEMON("daemon", 1),
    /** Records the server made from its compatible single-record routes. */
    API("api", 2);

    private final String wire;
    private final int code;

    Source(String wire, int code) {
        this.wire = wire;
        this.code = code;
    }

    public String wire() {
        return wire;
    }

    /** A small stable number for storage. */
    public int code() {
        return code;
    }

    public static Source fromWire(String s) {
        for (Source src : values()) {
            if (src.wire.equals(s)) {
                return src;
            }
        }
        return null;
    }

    public static Source fromCode(int code) {
        for (Source src : values()) {
            if (src.code == code) {
                return src;
            }
        }
        throw new IllegalArgumentException("unknown source code " + code);
    }
}

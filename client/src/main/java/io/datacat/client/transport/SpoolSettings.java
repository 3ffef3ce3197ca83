package io.datacat.client.transport;

import io.datacat.client.encode.JsonWriter;

/**
 * The spool settings a client gives the daemons it starts (their {@code DATACAT_CONFIG}); a
 * null or zero field leaves the daemon's default. Immutable; equal settings share a daemon.
 */
public final class SpoolSettings {
    public static final SpoolSettings DEFAULTS = new SpoolSettings(null, 0, 0, null);

    private final String dir;
    private final long maxBytes;
    private final long maxAgeSeconds;
    private final String fsync;

    public SpoolSettings(String dir, long maxBytes, long maxAgeSeconds, String fsync) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxAgeSeconds = maxAgeSeconds;
        this.fsync = fsync;
    }

    void writeTo(JsonWriter w) {
        if (dir != null) {
            w.field("spool_dir", dir);
        }
        if (maxBytes > 0) {
            w.field("spool_max_bytes", maxBytes);
        }
        if (maxAgeSeconds > 0) {
            w.field("spool_max_age_seconds", maxAgeSeconds);
        }
        if (fsync != null) {
            w.field("spool_fsync", fsync);
        }
    }

    @Override
    public String toString() {
        return dir + "|" + maxBytes + "|" + maxAgeSeconds + "|" + fsync;
    }
}

package io.datacat.daemon.spool;

import java.util.Locale;

/** When the spool forces what it wrote to the disk (config key {@code spool_fsync}). */
public enum FsyncPolicy {
    /** Before every ack; concurrent appends share one fsync (group commit). */
    ALWAYS,
    /** In the background every {@code spool_fsync_interval_ms}; an ack means "in the OS page cache". */
    INTERVAL,
    /** Never; the OS writes back when it likes. */
    NEVER;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The policy with that config name, or null. */
    public static FsyncPolicy fromWire(String s) {
        for (FsyncPolicy p : values()) {
            if (p.wire().equals(s)) {
                return p;
            }
        }
        return null;
    }
}

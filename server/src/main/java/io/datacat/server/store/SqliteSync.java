package io.datacat.server.store;

/** SQLite's {@code synchronous} setting, the one durability knob the server exposes. */
public enum SqliteSync {
    /**
     * Commits survive a crash of the server process; the last transactions before a power
     * loss or OS crash may be lost. The fast default.
     */
    NORMAL,
    /** Every commit is synced to disk: survives power loss, at a cost per batch. */
    FULL
}

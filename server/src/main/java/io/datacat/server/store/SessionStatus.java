package io.datacat.server.store;

import java.util.Locale;

/**
 * Where a session stands (DESIGN section 4). {@code hung} is a separate flag, not a status.
 */
public enum SessionStatus {
    /** Running and in contact. */
    ACTIVE,
    /** {@code end} was received: a clean exit. Final. */
    ENDED,
    /** A {@code crash} was received. Final. */
    CRASHED,
    /**
     * Nobody has heard from the session for {@code --abnormal-after}. Not final: a later
     * {@code end} or {@code crash} replaces it, and any later contact makes it active again.
     */
    ABNORMAL;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /** True once the session has a known ending that nothing may change. */
    public boolean isFinal() {
        return this == ENDED || this == CRASHED;
    }

    /** The status with that wire name, or null. */
    public static SessionStatus fromWire(String s) {
        for (SessionStatus st : values()) {
            if (st.wire.equals(s)) {
                return st;
            }
        }
        return null;
    }
}

package io.datacat.protocol;

import java.util.Locale;

/** What a record is; see docs/protocol.md. */
public enum RecordKind {
    SESSION_START(true),
    EVENT(false),
    EXCEPTION(false),
    METRIC(false),
    STATE(false),
    END(true),
    CRASH(true),
    HANG(true),
    RECOVERED(true);

    private final boolean alwaysKept;
    private final String wire;

    RecordKind(boolean alwaysKept) {
        this.alwaysKept = alwaysKept;
        this.wire = name().toLowerCase(Locale.ROOT);
    }

    /** The name on the wire ({@code session_start}, {@code event}, …). */
    public String wire() {
        return wire;
    }

    /**
     * Records that tell how a session began and ended (start, end, crash, hang, recovered):
     * a bounded spool never evicts them, because they are what DataCat exists to report.
     */
    public boolean alwaysKept() {
        return alwaysKept;
    }

    /** True for the kinds that make a session final. */
    public boolean isFinal() {
        return this == END || this == CRASH;
    }

    /** The kind with that wire name, or null. */
    public static RecordKind fromWire(String s) {
        if (s == null) {
            return null;
        }
        for (RecordKind k : values()) {
            if (k.wire.equals(s)) {
                return k;
            }
        }
        return null;
    }
}

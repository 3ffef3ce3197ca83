package io.datacat.client.ring;

/** The kinds of call a {@link Slot} can hold. */
public final class SlotKind {
    /** A slot whose call failed while being copied: skipped by the sender, counted as dropped. */
    public static final byte NONE = 0;
    public static final byte EVENT = 1;
    public static final byte EVENT_OBJECT = 2;
    public static final byte EXCEPTION = 3;
    public static final byte METRIC = 4;
    public static final byte METRIC_HANDLE = 5;
    public static final byte STATE = 6;
    public static final byte END = 7;
    /** A crash, hang or recovered report: {@code ref} holds the report. */
    public static final byte REPORT = 8;
    /** An exception that nobody caught, logged by the uncaught-exception handler. */
    public static final byte UNCAUGHT_EXCEPTION = 9;

    private SlotKind() {
    }
}

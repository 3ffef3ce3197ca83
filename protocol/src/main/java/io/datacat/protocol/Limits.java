package io.datacat.protocol;

/** The bounds every part enforces on what it receives (docs/protocol.md, "Limits"). */
public final class Limits {
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
    public static final int MAX_JSON_DEPTH = 64;
    public static final int MAX_RECORDS_PER_BATCH = 20_000;

    public static final int MAX_ID_CHARS = 64;
    public static final int MAX_PRODUCT_CHARS = 128;
    public static final int MAX_NAME_CHARS = 256;
    public static final int MAX_SHORT_TEXT_CHARS = 512;
    public static final int MAX_MESSAGE_CHARS = 65_536;
    public static final int MAX_LIST_ITEMS = 64;
    public static final int MAX_UNIT_CHARS = 64;
    public static final int MAX_STACK_FRAMES = 2_048;
    public static final int MAX_STACK_LINE_CHARS = 8_192;
    public static final int MAX_PATH_CHARS = 4_096;
    public static final int MAX_BUCKETS = 256;

    private Limits() {
    }
}

package io.datacat.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The record fields docs/protocol.md gives a meaning to, each with the one rule its value
 * follows, and per kind which of them apply and in what order they are checked. This is the
 * table {@link RecordReader} validates by, whether it reads a request body or a tree.
 */
enum Field {
    SID("sid", Rule.SESSION_ID, Limits.MAX_ID_CHARS),
    SRC("src", Rule.SOURCE),
    SEQ("seq", Rule.SEQ),
    KIND("kind", Rule.KIND, 32),
    TS("ts", Rule.TS),

    PRODUCT("product", Rule.NON_BLANK, Limits.MAX_PRODUCT_CHARS),
    VERSION("version", Rule.NON_BLANK, Limits.MAX_PRODUCT_CHARS),
    HOSTNAME("hostname", Rule.TEXT, Limits.MAX_NAME_CHARS),
    MACHINE_ID("machine_id", Rule.TEXT, Limits.MAX_NAME_CHARS),
    CLIENT("client", Rule.TEXT, Limits.MAX_NAME_CHARS),
    CWD("cwd", Rule.TEXT, Limits.MAX_PATH_CHARS),
    PID("pid", Rule.INTEGER),
    HANG_TIMEOUT_MS("hang_timeout_ms", Rule.INTEGER),
    ATTRS("attrs", Rule.OBJECT),

    NAME("name", Rule.NON_BLANK, Limits.MAX_NAME_CHARS),
    LEVEL("level", Rule.LEVEL),
    CATEGORY("category", Rule.TEXT, Limits.MAX_NAME_CHARS),
    GROUP("group", Rule.TEXT, Limits.MAX_NAME_CHARS),
    LABELS("labels", Rule.STRING_LIST, Limits.MAX_NAME_CHARS, Limits.MAX_LIST_ITEMS),
    MESSAGE("message", Rule.TEXT, Limits.MAX_MESSAGE_CHARS),
    DATA("data", Rule.OBJECT),
    EXCEPTION_TYPE("exception_type", Rule.TEXT, Limits.MAX_SHORT_TEXT_CHARS),
    EXCEPTION_MSG("exception_msg", Rule.TEXT, Limits.MAX_MESSAGE_CHARS),
    STACKTRACE("stacktrace", Rule.STRING_LIST, Limits.MAX_STACK_LINE_CHARS, Limits.MAX_STACK_FRAMES),
    SOURCE_FILE("source_file", Rule.TEXT, Limits.MAX_PATH_CHARS),
    SOURCE_LINE("source_line", Rule.INTEGER),
    SOURCE_FUNCTION("source_function", Rule.TEXT, Limits.MAX_SHORT_TEXT_CHARS),

    TYPE("type", Rule.METRIC_TYPE),
    VALUE("value", Rule.NUMBER),
    UNIT("unit", Rule.TEXT, Limits.MAX_UNIT_CHARS),
    TAGS("tags", Rule.STRING_LIST, Limits.MAX_NAME_CHARS, Limits.MAX_LIST_ITEMS),
    METADATA("metadata", Rule.OBJECT),
    COUNT("count", Rule.COUNT),
    SUM("sum", Rule.NUMBER),
    MIN("min", Rule.NUMBER),
    MAX("max", Rule.NUMBER),
    BUCKETS("buckets", Rule.BUCKETS),
    /** The milliseconds a counter record's increments were summed over, ending at its {@code ts}. */
    INTERVAL_MS("interval_ms", Rule.COUNT),

    PATCH("patch", Rule.OBJECT),
    REASON("reason", Rule.TEXT, Limits.MAX_SHORT_TEXT_CHARS),
    DETAIL("detail", Rule.OBJECT),

    THREAD("thread", Rule.TEXT, Limits.MAX_NAME_CHARS),
    STACK("stack", Rule.STRING_LIST, Limits.MAX_STACK_LINE_CHARS, Limits.MAX_STACK_FRAMES),
    TIMEOUT_MS("timeout_ms", Rule.INTEGER),
    SILENT_MS("silent_ms", Rule.INTEGER),
    DETECTED_BY("detected_by", Rule.DETECTED_BY),
    DURATION_MS("duration_ms", Rule.INTEGER);

    /** What a field's value must be. */
    enum Rule {
        /** A string of at most {@code maxChars}. */
        TEXT,
        /** A string of at most {@code maxChars}, not blank. */
        NON_BLANK,
        /** 1 to 64 characters of {@code [A-Za-z0-9._:-]}. */
        SESSION_ID,
        SOURCE,
        KIND,
        LEVEL,
        METRIC_TYPE,
        /** {@code client} or {@code daemon}. */
        DETECTED_BY,
        /** An integer that fits a long. */
        INTEGER,
        /** An integer of 1 or more. */
        SEQ,
        /** Microseconds since the epoch, before the year 5000. */
        TS,
        /** An integer of 1 or more (a metric's sample count). */
        COUNT,
        /** A finite number. */
        NUMBER,
        OBJECT,
        /** At most {@code maxItems} strings of at most {@code maxChars} each. */
        STRING_LIST,
        /** Histogram buckets: ascending {@code le} bounds with counts. */
        BUCKETS
    }

    /** When a field of a kind must be there. */
    enum Need {
        REQUIRED,
        OPTIONAL,
        /** Filled with a default when absent (an exception's {@code name}). */
        DEFAULTED,
        /** Checked only for histograms and timers. */
        DISTRIBUTION
    }

    /** One line of a kind's table. */
    record Use(Field field, Need need) {
    }

    /** Whether this is a field every record has: {@code sid}, {@code src}, {@code seq}, {@code kind}, {@code ts}. */
    boolean isCommon() {
        return ordinal() <= TS.ordinal();
    }

    static final int COUNT_OF_FIELDS = values().length;

    private static final Map<String, Field> BY_NAME = new HashMap<>();
    /** By kind ordinal; an array, as {@link RecordReader} walks one per record. */
    private static final Use[][] BY_KIND = new Use[RecordKind.values().length][];

    static {
        if (COUNT_OF_FIELDS > Long.SIZE) {
            throw new AssertionError("a record's fields are tracked in one long: at most 64");
        }
        for (Field f : values()) {
            BY_NAME.put(f.wire, f);
        }
        BY_KIND[RecordKind.SESSION_START.ordinal()] = uses(req(PRODUCT), req(VERSION), opt(HOSTNAME), opt(MACHINE_ID),
                opt(CLIENT), opt(CWD), opt(PID), opt(HANG_TIMEOUT_MS), opt(ATTRS));
        BY_KIND[RecordKind.EVENT.ordinal()] = uses(req(NAME), opt(LEVEL), opt(CATEGORY), opt(GROUP), opt(LABELS),
                opt(MESSAGE), opt(DATA));
        BY_KIND[RecordKind.EXCEPTION.ordinal()] = uses(new Use(NAME, Need.DEFAULTED), opt(LEVEL), opt(CATEGORY),
                opt(GROUP), opt(LABELS), opt(MESSAGE), opt(DATA), opt(EXCEPTION_TYPE), opt(EXCEPTION_MSG),
                opt(STACKTRACE), opt(SOURCE_FILE), opt(SOURCE_LINE), opt(SOURCE_FUNCTION));
        BY_KIND[RecordKind.METRIC.ordinal()] = uses(req(NAME), opt(TYPE), req(VALUE), opt(UNIT), opt(TAGS), opt(METADATA),
                opt(COUNT), dist(SUM), dist(MIN), dist(MAX), dist(BUCKETS), opt(INTERVAL_MS));
        BY_KIND[RecordKind.STATE.ordinal()] = uses(req(PATCH));
        BY_KIND[RecordKind.END.ordinal()] = uses(opt(REASON));
        BY_KIND[RecordKind.CRASH.ordinal()] = uses(req(REASON), opt(MESSAGE), opt(DETAIL));
        BY_KIND[RecordKind.HANG.ordinal()] = uses(opt(THREAD), opt(STACK), opt(TIMEOUT_MS), opt(SILENT_MS),
                opt(DETECTED_BY));
        BY_KIND[RecordKind.RECOVERED.ordinal()] = uses(opt(DURATION_MS));
    }

    final String wire;
    final Rule rule;
    /** The longest string (or list item) allowed. */
    final int maxChars;
    /** The most list items allowed. */
    final int maxItems;
    final long bit = 1L << ordinal();

    Field(String wire, Rule rule) {
        this(wire, rule, 0, 0);
    }

    Field(String wire, Rule rule, int maxChars) {
        this(wire, rule, maxChars, 0);
    }

    Field(String wire, Rule rule, int maxChars, int maxItems) {
        this.wire = wire;
        this.rule = rule;
        this.maxChars = maxChars;
        this.maxItems = maxItems;
    }

    /** The field with that name, or null for a field the protocol does not interpret. */
    static Field byName(String name) {
        return BY_NAME.get(name);
    }

    /** The fields a kind interprets, in the order they are checked (a shared array: read it only). */
    static Use[] of(RecordKind kind) {
        return BY_KIND[kind.ordinal()];
    }

    private static Use[] uses(Use... uses) {
        return uses;
    }

    private static Use req(Field f) {
        return new Use(f, Need.REQUIRED);
    }

    private static Use opt(Field f) {
        return new Use(f, Need.OPTIONAL);
    }

    private static Use dist(Field f) {
        return new Use(f, Need.DISTRIBUTION);
    }
}

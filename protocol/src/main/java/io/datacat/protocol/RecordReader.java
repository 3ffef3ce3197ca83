package io.datacat.protocol;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Validates records from the tokens of a {@link JsonScanner}, without building a tree, by the
 * rules of docs/protocol.md (the table in {@link Field}). It also keeps where each record lies in
 * the body, so a valid record can be copied out normalised (defaults filled in) without being
 * encoded again. {@link RecordValidator} runs the same code over a tree's JSON.
 *
 * <p>A record is checked as a whole once its closing brace is read, in the order of the table:
 * its fields may come in any order, yet the error reported is the one a check in table order
 * meets first. Malformed JSON, duplicate keys and the parser's limits fail at once.
 *
 * <p>One reader reads the records of one document in turn and then describes the last one read;
 * it is not thread-safe.
 */
public final class RecordReader {
    /** Year 5000 in microseconds: anything later is a unit mistake (nanoseconds), not a time. */
    static final long MAX_TS = 95_617_584_000_000_000L;
    static final String SESSION_ID_RULE = "must be 1 to " + Limits.MAX_ID_CHARS
            + " characters of letters, digits, '.', '_', ':' or '-'";
    /** Up to this many keys an object's duplicates are found by comparing names; past it, with a set. */
    private static final int SMALL_OBJECT = 16;
    private static final Source[] SOURCES = Source.values();
    private static final RecordKind[] KINDS = RecordKind.values();
    private static final Level[] LEVELS = Level.values();
    private static final MetricType[] TYPES = MetricType.values();
    // Wire spellings as bytes, matched against the body's own bytes: nothing is decoded, and the
    // daemon's C1-compiled code handles plain array loops well (String methods it does not inline).
    private static final byte[][] SOURCE_WORDS = words(SOURCES, Source::wire);
    private static final byte[][] KIND_WORDS = words(KINDS, RecordKind::wire);
    private static final byte[][] LEVEL_WORDS = words(LEVELS, Level::wire);
    private static final byte[][] TYPE_WORDS = words(TYPES, MetricType::wire);
    private static final byte[][] DETECTORS = words(new String[] {"client", "daemon"}, String::valueOf);
    private static final String INF = "+Inf";
    /** Parses records already checked (duplicates included) into trees, for the few consumers that need one. */
    private static final ObjectMapper TREES = new ObjectMapper(Json.streamingFactory(Integer.MAX_VALUE));

    private final JsonScanner p;
    private final String pathPrefix;
    private int index = -1;

    private long present;
    private long nulls;
    private long failed;
    private InvalidInputException[] verdicts;
    private boolean nonFinite;
    private long recordStart;
    private long recordEnd;

    private String sid;
    private String lastSid;
    private byte[] lastSidBytes;
    private Source src;
    private long seq;
    private RecordKind kind;
    private long ts;
    private Level level;
    private MetricType type;
    private double bucketBound;
    private String nameText;
    private double value;
    /**
     * Where the common fields lie in the body ({@code [key, end of value)}, in body order), to
     * leave them out of {@link #writeBodyTo}.
     */
    private int commons;
    private final long[] commonSpan = new long[2 * 5];
    /**
     * The fields of keys recently read, by the key's identity: the scanner returns one String per
     * distinct key, so a batch's thousands of records look each key up once.
     */
    private final String[] fieldKeys = new String[64];
    private final Field[] fieldsByKey = new Field[64];

    /** Value spans to replace ({@code null}, a level's other spelling, an infinity's other spelling), by start. */
    private int edits;
    private long[] editSpan = new long[8];
    private String[] editText = new String[4];
    /** Buckets whose {@code le} becomes "+Inf", by index (for trees) and by span (for bodies). */
    private int infBuckets;
    private int[] infBucket = new int[2];
    private long[] infSpan = new long[4];
    private long srcNull = -1;
    private long nameNull = -1;
    private long levelSpan = -1;
    private long typeNull = -1;
    private long srcNullEnd;
    private long nameNullEnd;
    private long levelSpanEnd;
    private long typeNullEnd;

    private String[] names = new String[32];
    private int namesTop;
    private int depth;
    private final int[] scopeStart = new int[Limits.MAX_JSON_DEPTH + 2];
    private final int[] scopeSize = new int[Limits.MAX_JSON_DEPTH + 2];
    private Set<String>[] bigScopes;

    /**
     * @param p    the scanner of the document
     * @param path the JSON path of the records: {@code records} for {@code records[i]}, or the path of the one record
     */
    RecordReader(JsonScanner p, String path) {
        this.p = p;
        this.pathPrefix = path;
    }

    // ------------------------------------------------------------------ what the last record is

    public String sid() {
        return sid;
    }

    public Source src() {
        return src;
    }

    public long seq() {
        return seq;
    }

    public RecordKind kind() {
        return kind;
    }

    public long ts() {
        return ts;
    }

    /** The name of an event, exception (default {@code exception}) or metric; null for the other kinds. */
    public String name() {
        if (kind == RecordKind.EXCEPTION && nameText == null) {
            return "exception";
        }
        return isEvent() || kind == RecordKind.METRIC ? nameText : null;
    }

    /** The level of an event or exception, in its canonical spelling or defaulted; null for the other kinds. */
    public Level level() {
        return isEvent() ? (level != null ? level : defaultLevel()) : null;
    }

    /** A metric's {@code value}. */
    public double value() {
        return value;
    }

    /** The record's JSON path, such as {@code records[3]}, for error messages. */
    public String path() {
        return index < 0 ? pathPrefix : pathPrefix + "[" + index + "]";
    }

    /**
     * Appends the record as it came, normalised: {@code src}, an exception's {@code name}, an
     * event's {@code level} and a metric's {@code type} filled in when absent or null, a level in
     * its canonical spelling, and a histogram's infinite bound written {@code "+Inf"}.
     */
    public void writeTo(Bytes out) {
        planEdits();
        boolean fillSrc = (present & Field.SRC.bit) == 0;
        if (!fillSrc && !fillsDefaults()) {
            copyEdited(recordStart, recordEnd, out);
            return;
        }
        copyEdited(recordStart, recordEnd - 1, out);
        if (fillSrc) {
            out.writeAscii(",\"src\":\"app\"");
        }
        writeDefaults(true, out);
        out.write('}');
    }

    /**
     * Appends what {@link #writeTo} appends without the common fields ({@code sid}, {@code src},
     * {@code seq}, {@code kind}, {@code ts}), which a store keeps beside it, and without the
     * whitespace between fields.
     */
    public void writeBodyTo(Bytes out) {
        planEdits();
        out.write('{');
        boolean wrote = false;
        long at = recordStart + 1;
        for (int i = 0; i < commons; i++) {
            wrote |= writeFields(at, commonSpan[2 * i], wrote, out);
            at = commonSpan[2 * i + 1];
        }
        wrote |= writeFields(at, recordEnd - 1, wrote, out);
        writeDefaults(wrote, out);
        out.write('}');
    }

    /**
     * Copies the fields in {@code [from, to)}, a run of whole fields between two left out (or
     * the braces), trimmed of the separators around it, after a comma when {@code comma}.
     *
     * @return whether it wrote anything
     */
    private boolean writeFields(long from, long to, boolean comma, Bytes out) {
        while (from < to && isSeparator(p.byteAt(from))) {
            from++;
        }
        while (to > from && isSeparator(p.byteAt(to - 1))) {
            to--;
        }
        if (from == to) {
            return false;
        }
        if (comma) {
            out.write(',');
        }
        copyEdited(from, to, out);
        return true;
    }

    private static boolean isSeparator(byte b) {
        return b == ',' || b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** Copies the body's bytes {@code [from, to)} with the planned edits that lie in them. */
    private void copyEdited(long from, long to, Bytes out) {
        long at = from;
        for (int i = 0; i < edits; i++) {
            long start = editSpan[2 * i];
            if (start >= from && start < to) {
                p.copy(at, start, out);
                out.writeAscii(editText[i]);
                at = editSpan[2 * i + 1];
            }
        }
        p.copy(at, to, out);
    }

    /** Whether the record lacks a field that normalisation adds (besides {@code src}). */
    private boolean fillsDefaults() {
        return kind == RecordKind.EXCEPTION && (present & Field.NAME.bit) == 0
                || isEvent() && (present & Field.LEVEL.bit) == 0
                || kind == RecordKind.METRIC && (present & Field.TYPE.bit) == 0;
    }

    /** Appends the absent fields normalisation adds, besides {@code src}; the first after a comma when {@code comma}. */
    private void writeDefaults(boolean comma, Bytes out) {
        if (kind == RecordKind.EXCEPTION && (present & Field.NAME.bit) == 0) {
            comma = separate(comma, out);
            out.writeAscii("\"name\":\"exception\"");
        }
        if (isEvent() && (present & Field.LEVEL.bit) == 0) {
            comma = separate(comma, out);
            out.writeAscii("\"level\":");
            out.writeAscii(quoted(defaultLevel().wire()));
        }
        if (kind == RecordKind.METRIC && (present & Field.TYPE.bit) == 0) {
            separate(comma, out);
            out.writeAscii("\"type\":\"gauge\"");
        }
    }

    private static boolean separate(boolean comma, Bytes out) {
        if (comma) {
            out.write(',');
        }
        return true;
    }

    /** The record as a tree (normalised), for consumers that need more than its identity. */
    public WireRecord toWireRecord() {
        Bytes bytes = new Bytes((int) (recordEnd - recordStart) + 64);
        writeTo(bytes);
        try {
            ObjectNode body = (ObjectNode) TREES.readTree(bytes.array(), 0, bytes.size());
            return new WireRecord(sid, src, seq, kind, ts, body);
        } catch (IOException e) {
            throw new UncheckedIOException("a validated record does not parse again", e);
        }
    }

    private boolean isEvent() {
        return kind == RecordKind.EVENT || kind == RecordKind.EXCEPTION;
    }

    private Level defaultLevel() {
        return kind == RecordKind.EXCEPTION ? Level.ERROR : Level.INFO;
    }

    private MetricType metricType() {
        return type != null ? type : MetricType.GAUGE;
    }

    /** The in-place replacements of the record's body, in the order of their spans. */
    private void planEdits() {
        edits = 0;
        if (srcNull >= 0) {
            edit(srcNull, srcNullEnd, quoted(Source.APP.wire()));
        }
        if (kind == RecordKind.EXCEPTION && nameNull >= 0) {
            edit(nameNull, nameNullEnd, "\"exception\"");
        }
        if (isEvent() && levelSpan >= 0) {
            edit(levelSpan, levelSpanEnd, quoted((level != null ? level : defaultLevel()).wire()));
        }
        if (kind == RecordKind.METRIC && typeNull >= 0) {
            edit(typeNull, typeNullEnd, quoted(MetricType.GAUGE.wire()));
        }
        if (kind == RecordKind.METRIC && metricType().isDistribution()) {
            for (int i = 0; i < infBuckets; i++) {
                edit(infSpan[2 * i], infSpan[2 * i + 1], quoted(INF));
            }
        }
    }

    private void edit(long start, long end, String text) {
        if (edits == editText.length) {
            editText = Arrays.copyOf(editText, edits * 2);
            editSpan = Arrays.copyOf(editSpan, edits * 4);
        }
        int i = edits++;
        while (i > 0 && editSpan[2 * (i - 1)] > start) {
            editSpan[2 * i] = editSpan[2 * (i - 1)];
            editSpan[2 * i + 1] = editSpan[2 * (i - 1) + 1];
            editText[i] = editText[i - 1];
            i--;
        }
        editSpan[2 * i] = start;
        editSpan[2 * i + 1] = end;
        editText[i] = text;
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads the record whose {@code START_OBJECT} is the scanner's current token, through its
     * {@code END_OBJECT}, and validates it.
     *
     * @param index the record's place in its batch, or -1 for a record read alone
     * @throws InvalidInputException when the record breaks a rule, for malformed JSON, a
     *                               duplicate key, or a limit of the scanner
     * @throws IOException           when the body's stream fails
     */
    void read(int index) throws IOException {
        this.index = index;
        present = 0;
        nulls = 0;
        failed = 0;
        nonFinite = false;
        sid = null;
        src = Source.APP;
        seq = 0;
        kind = null;
        ts = 0;
        level = null;
        type = null;
        nameText = null;
        value = 0;
        commons = 0;
        infBuckets = 0;
        srcNull = -1;
        nameNull = -1;
        levelSpan = -1;
        typeNull = -1;
        recordStart = p.tokenStart();
        p.keepFrom(recordStart);
        open();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            Field f = field(key);
            long keyStart = f != null && f.isCommon() ? p.tokenStart() : -1;
            JsonToken v = p.nextToken();
            if (f == null) {
                name(key);
                skipValue(v);
            } else if ((present & f.bit) != 0) {
                throw duplicate(key);
            } else {
                present |= f.bit;
                if (v == JsonToken.VALUE_NULL) {
                    nulls |= f.bit;
                    noteNull(f);
                } else {
                    field(f, v);
                }
                if (keyStart >= 0) {
                    // A valid common field's value is read to its end (strings are decoded to be checked).
                    commonSpan[2 * commons] = keyStart;
                    commonSpan[2 * commons + 1] = p.tokenEnd();
                    commons++;
                }
            }
        }
        close();
        recordEnd = p.tokenEnd();
        judge();
    }

    /** The field a key names, or null; found by the key's identity when it was met lately. */
    private Field field(String key) {
        int slot = key.hashCode() & (fieldKeys.length - 1);
        if (fieldKeys[slot] == key) {
            return fieldsByKey[slot];
        }
        Field f = Field.byName(key);
        fieldKeys[slot] = key;
        fieldsByKey[slot] = f;
        return f;
    }

    /** Keeps where a null that normalisation replaces lies. */
    private void noteNull(Field f) {
        if (f != Field.SRC && f != Field.NAME && f != Field.LEVEL && f != Field.TYPE) {
            return;
        }
        long start = p.tokenStart();
        long end = p.tokenEnd();
        switch (f) {
            case SRC -> {
                srcNull = start;
                srcNullEnd = end;
            }
            case NAME -> {
                nameNull = start;
                nameNullEnd = end;
            }
            case LEVEL -> {
                levelSpan = start;
                levelSpanEnd = end;
            }
            default -> {
                typeNull = start;
                typeNullEnd = end;
            }
        }
    }

    private void field(Field f, JsonToken v) throws IOException {
        switch (f.rule) {
            case TEXT, NON_BLANK -> text(f, v);
            case SESSION_ID -> sessionId(v);
            case SOURCE -> source(v);
            case KIND -> kind(v);
            case LEVEL -> level(v);
            case METRIC_TYPE -> metricType(v);
            case DETECTED_BY -> detectedBy(v);
            case INTEGER, SEQ, TS, COUNT -> integer(f, v);
            case NUMBER -> number(f, v);
            case OBJECT -> object(f, v);
            case STRING_LIST -> stringList(f, v);
            case BUCKETS -> buckets(v);
        }
    }

    private boolean isString(Field f, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return true;
        }
        fail(f, "must be a string, got " + Json.describe(v));
        skipValue(v);
        return false;
    }

    private void text(Field f, JsonToken v) throws IOException {
        if (!isString(f, v)) {
            return;
        }
        int length = p.textLength();
        if (length > f.maxChars) {
            tooLong(f, length);
        } else if (f.rule == Field.Rule.NON_BLANK && p.textIsBlank()) {
            fail(f, "must not be empty");
        } else if (f == Field.NAME) {
            // A batch repeats a few names thousands of times: each String is made once.
            nameText = p.cachedText();
        }
    }

    private void tooLong(Field f, int len) {
        fail(f, "is " + len + " characters; the limit is " + f.maxChars);
    }

    private void sessionId(JsonToken v) throws IOException {
        if (!isString(Field.SID, v)) {
            return;
        }
        int length = p.textLength();
        if (length > Field.SID.maxChars) {
            tooLong(Field.SID, length);
        } else if (lastSidBytes != null && p.textIs(lastSidBytes)) {
            // The records of a batch mostly share one session: checked once, one String.
            sid = lastSid;
        } else if (!isSessionId(p.textChars(), length)) {
            fail(Field.SID, SESSION_ID_RULE);
        } else {
            sid = p.text();
            lastSid = sid;
            // A valid id is ASCII: its bytes are its characters.
            lastSidBytes = sid.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private void source(JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            int s = spelled(SOURCE_WORDS);
            if (s >= 0) {
                src = SOURCES[s];
                return;
            }
        } else {
            skipValue(v);
        }
        fail(Field.SRC, "must be \"app\", \"daemon\" or \"api\"");
    }

    private void kind(JsonToken v) throws IOException {
        if (!isString(Field.KIND, v)) {
            return;
        }
        if (p.textLength() > Field.KIND.maxChars) {
            tooLong(Field.KIND, p.textLength());
            return;
        }
        int k = spelled(KIND_WORDS);
        if (k >= 0) {
            kind = KINDS[k];
            return;
        }
        fail(Field.KIND, "'" + p.text() + "' is not one of session_start, event, exception, metric, state, end, "
                + "crash, hang, recovered");
    }

    private void level(JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            int l = spelled(LEVEL_WORDS);
            if (l >= 0) {
                level = LEVELS[l];
                return;
            }
            level = Level.fromWire(p.text());
            if (level != null) {
                levelSpan = p.tokenStart();
                levelSpanEnd = p.tokenEnd();
                return;
            }
        } else {
            skipValue(v);
        }
        fail(Field.LEVEL, "must be one of debug, info, warning, error, critical");
    }

    private void metricType(JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            int t = spelled(TYPE_WORDS);
            if (t >= 0) {
                type = TYPES[t];
                return;
            }
        } else {
            skipValue(v);
        }
        fail(Field.TYPE, "must be one of gauge, counter, histogram, timer");
    }

    private void detectedBy(JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            if (spelled(DETECTORS) >= 0) {
                return;
            }
        } else {
            skipValue(v);
        }
        fail(Field.DETECTED_BY, "must be \"client\" or \"daemon\"");
    }

    private void integer(Field f, JsonToken v) throws IOException {
        if (!p.isLong()) {
            fail(f, "must be an integer, got " + Json.describe(v));
            skipValue(v);
            return;
        }
        long x = p.longValue();
        switch (f.rule) {
            case SEQ -> {
                seq = x;
                if (x < 1) {
                    fail(f, "must be 1 or more, got " + x);
                }
            }
            case TS -> {
                ts = x;
                if (x <= 0 || x > MAX_TS) {
                    fail(f, "must be microseconds since the Unix epoch, got " + x);
                }
            }
            case COUNT -> {
                if (x < 1) {
                    fail(f, "must be 1 or more");
                }
            }
            default -> {
            }
        }
    }

    private void number(Field f, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            fail(f, "must be a number, got " + Json.describe(v));
            skipValue(v);
        } else if (v == JsonToken.VALUE_NUMBER_FLOAT && !finite()) {
            fail(f, "must be a finite number: it is beyond the range of a double (about ±1.8e308)");
        } else if (f == Field.VALUE) {
            value = p.doubleValue();
        }
    }

    private void object(Field f, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            fail(f, "must be an object, got " + Json.describe(v));
        }
        skipValue(v);
    }

    private void stringList(Field f, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            fail(f, "must be an array of strings, got " + Json.describe(v));
            skipValue(v);
            return;
        }
        int n = 0;
        String itemError = null;
        int badItem = -1;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (badItem < 0) {
                if (t != JsonToken.VALUE_STRING) {
                    badItem = n;
                    itemError = "must be a string, got " + Json.describe(t);
                } else if (p.textLength() > f.maxChars) {
                    badItem = n;
                    itemError = "is longer than " + f.maxChars + " characters";
                }
            }
            skipValue(t);
            n++;
        }
        if (n > f.maxItems) {
            fail(f, "holds at most " + f.maxItems + " items, got " + n);
        } else if (badItem >= 0) {
            String item = fieldPath(f) + "[" + badItem + "]";
            fail(f, new InvalidInputException(item + " " + itemError, item));
        }
    }

    private void buckets(JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            fail(Field.BUCKETS, "must be an array of {\"le\", \"count\"}");
            skipValue(v);
            return;
        }
        bucketBound = Double.NEGATIVE_INFINITY;
        InvalidInputException first = null;
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (first == null) {
                first = bucket(t, n);
            } else {
                skipValue(t);
            }
            n++;
        }
        if (n > Limits.MAX_BUCKETS) {
            fail(Field.BUCKETS, "holds at most " + Limits.MAX_BUCKETS + " buckets");
        } else if (first != null) {
            fail(Field.BUCKETS, first);
        }
    }

    /** Reads bucket {@code i}; returns its error, or null when it holds and ascends. */
    private InvalidInputException bucket(JsonToken t, int i) throws IOException {
        String bp = fieldPath(Field.BUCKETS) + "[" + i + "]";
        if (t != JsonToken.START_OBJECT) {
            skipValue(t);
            return new InvalidInputException(bp + " must be an object {\"le\", \"count\"}", bp);
        }
        boolean sawLe = false;
        boolean sawCount = false;
        boolean leOk = false;
        boolean countOk = false;
        double bound = 0;
        long infStart = -1;
        long infEnd = -1;
        open();
        JsonToken f;
        while ((f = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("le")) {
                if (sawLe) {
                    throw duplicate(name);
                }
                sawLe = true;
                if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                    bound = p.doubleValue();
                    leOk = Double.isFinite(bound);
                    nonFinite |= !leOk;
                } else if (v == JsonToken.VALUE_STRING && RecordValidator.isInfinity(p.text())) {
                    leOk = true;
                    bound = Double.POSITIVE_INFINITY;
                    if (!p.text().equals(INF)) {
                        infStart = p.tokenStart();
                        infEnd = p.tokenEnd();
                    }
                } else {
                    skipValue(v);
                }
            } else if (name.equals("count")) {
                if (sawCount) {
                    throw duplicate(name);
                }
                sawCount = true;
                countOk = p.isLong() && p.longValue() >= 0;
                skipValue(v);
            } else {
                name(name);
                skipValue(v);
            }
        }
        close();
        if (!leOk) {
            return new InvalidInputException(bp + ".le must be a number or \"+Inf\"", bp + ".le");
        }
        if (bound <= bucketBound) {
            return new InvalidInputException(fieldPath(Field.BUCKETS) + " bounds must be strictly ascending", bp + ".le");
        }
        bucketBound = bound;
        if (!countOk) {
            return new InvalidInputException(bp + ".count must be a non-negative integer", bp + ".count");
        }
        if (infStart >= 0) {
            if (infBuckets == infBucket.length) {
                infBucket = Arrays.copyOf(infBucket, infBuckets * 2);
                infSpan = Arrays.copyOf(infSpan, infBuckets * 4);
            }
            infBucket[infBuckets] = i;
            infSpan[2 * infBuckets] = infStart;
            infSpan[2 * infBuckets + 1] = infEnd;
            infBuckets++;
        }
        return null;
    }

    /**
     * Reads past the value that starts with {@code v} (the current token), checking what
     * applies to any JSON the protocol receives: no duplicate key in an object, and every
     * number finite (the scanner itself bounds nesting and refuses NaN and Infinity tokens).
     */
    void skipValue(JsonToken v) throws IOException {
        switch (v) {
            case START_OBJECT -> {
                open();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    name(p.currentName());
                    skipValue(p.nextToken());
                }
                close();
            }
            case START_ARRAY -> {
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    skipValue(t);
                }
            }
            case VALUE_NUMBER_FLOAT -> nonFinite |= !finite();
            default -> {
            }
        }
    }

    /** Whether the current floating-point token is finite: only a number with an exponent can overflow a double. */
    private boolean finite() {
        return !p.hasExponent() || Double.isFinite(p.doubleValue());
    }

    // ------------------------------------------------------------------ the verdict

    /** Throws the first error in table order: the common fields, then the kind's, then non-finite numbers. */
    private void judge() {
        check(Field.SID, Field.Need.REQUIRED);
        check(Field.SRC, Field.Need.OPTIONAL);
        check(Field.SEQ, Field.Need.REQUIRED);
        check(Field.KIND, Field.Need.REQUIRED);
        check(Field.TS, Field.Need.REQUIRED);
        for (Field.Use use : Field.of(kind)) {
            if (use.need() != Field.Need.DISTRIBUTION || metricType().isDistribution()) {
                check(use.field(), use.need());
            }
        }
        if (nonFinite) {
            throw new InvalidInputException(path() + " contains a number that is not finite (NaN, Infinity or out of "
                    + "the range of a double); send finite numbers", path());
        }
    }

    private void check(Field f, Field.Need need) {
        if ((failed & f.bit) != 0) {
            throw verdicts[f.ordinal()];
        }
        if (need == Field.Need.REQUIRED && (present & ~nulls & f.bit) == 0) {
            String fp = fieldPath(f);
            if (f.rule == Field.Rule.OBJECT) {
                throw new InvalidInputException(fp + " must be an object, got "
                        + ((present & f.bit) != 0 ? "null" : "nothing"), fp);
            }
            throw new InvalidInputException(fp + " is required", fp);
        }
    }

    private void fail(Field f, String message) {
        fail(f, new InvalidInputException(fieldPath(f) + " " + message, fieldPath(f)));
    }

    private void fail(Field f, InvalidInputException e) {
        if (verdicts == null) {
            verdicts = new InvalidInputException[Field.COUNT_OF_FIELDS];
        }
        failed |= f.bit;
        verdicts[f.ordinal()] = e;
    }

    private String fieldPath(Field f) {
        return path() + "." + f.wire;
    }

    // ------------------------------------------------------------------ duplicate keys

    /** Opens an object: its keys are checked against each other until {@link #close}. */
    void open() {
        depth++;
        scopeStart[depth] = namesTop;
        scopeSize[depth] = 0;
    }

    void close() {
        if (scopeSize[depth] > SMALL_OBJECT) {
            bigScopes[depth].clear();
        }
        namesTop = scopeStart[depth];
        depth--;
    }

    /** A key of the innermost open object; fails on one it already had. */
    @SuppressWarnings("unchecked")
    void name(String name) {
        int n = scopeSize[depth]++;
        if (n < SMALL_OBJECT) {
            for (int i = scopeStart[depth]; i < namesTop; i++) {
                if (names[i].equals(name)) {
                    throw duplicate(name);
                }
            }
            if (namesTop == names.length) {
                names = Arrays.copyOf(names, namesTop * 2);
            }
            names[namesTop++] = name;
            return;
        }
        if (bigScopes == null) {
            bigScopes = new Set[scopeStart.length];
        }
        Set<String> set = bigScopes[depth];
        if (set == null) {
            set = new HashSet<>();
            bigScopes[depth] = set;
        }
        if (n == SMALL_OBJECT) {
            set.addAll(Arrays.asList(names).subList(scopeStart[depth], namesTop));
        }
        if (!set.add(name)) {
            throw duplicate(name);
        }
    }

    /** Worded as Jackson's own duplicate detection words it. */
    InvalidInputException duplicate(String name) {
        return p.error("Duplicate field '" + name + "'");
    }

    // ------------------------------------------------------------------ characters

    /** Whether {@code s} is a valid session id (a hand-written check: a regex costs more than the rest of a record). */
    static boolean isSessionId(String s) {
        return isSessionId(s.toCharArray(), s.length());
    }

    private static boolean isSessionId(char[] a, int len) {
        if (len < 1 || len > Limits.MAX_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (!isIdChar(a[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIdChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '.' || c == '_' || c == ':' || c == '-';
    }

    private static <T> byte[][] words(T[] values, Function<T, String> wire) {
        byte[][] words = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            words[i] = wire.apply(values[i]).getBytes(StandardCharsets.US_ASCII);
        }
        return words;
    }

    /** The index of the word the current string token spells exactly, or -1. */
    private int spelled(byte[][] words) {
        for (int i = 0; i < words.length; i++) {
            if (p.textIs(words[i])) {
                return i;
            }
        }
        return -1;
    }
}

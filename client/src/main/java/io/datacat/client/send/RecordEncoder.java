package io.datacat.client.send;

import io.datacat.client.Event;
import io.datacat.client.Level;
import io.datacat.client.encode.JsonWriter;
import io.datacat.client.encode.StackTraces;
import io.datacat.client.ring.Document;
import io.datacat.client.ring.RecordRing;
import io.datacat.client.ring.StringList;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes records in the wire format of docs/protocol.md, cutting every field to the
 * protocol's limits (so the daemon never refuses a batch because of one oversize value)
 * and counting what it had to cut.
 */
final class RecordEncoder {
    static final int MAX_NAME = 256;
    static final int MAX_SHORT = 512;
    static final int MAX_MESSAGE = 65_536;
    static final int MAX_LIST = 64;
    static final int MAX_STACK_LINE = 8_192;
    static final int MAX_PATH = 4_096;
    static final int MAX_UNIT = 64;
    /** Keys of data and state are cut here: the JSON readers downstream refuse names over 50,000 characters. */
    static final int MAX_KEY = 4_096;
    private static final Level[] LEVELS = Level.values();

    private final String sid;
    private final JsonWriter w;
    private final Document scratch = new Document();
    private boolean cut;
    /** Objects with up to this many keys are checked for a repeated key by a scan, bigger ones by a set. */
    private static final int SCANNED_KEYS = 16;
    /** The keys written so far in each open object of the document being written, innermost last. */
    private String[] keys = new String[64];
    private int keyCount;
    /** Per open container: where its keys start in {@link #keys}, and its set once it is big. */
    private final int[] keysFrom = new int[Document.MAX_DEPTH + 2];
    @SuppressWarnings("unchecked")
    private final Set<String>[] keySets = new Set[Document.MAX_DEPTH + 2];
    private int openKeys;

    RecordEncoder(String sid, JsonWriter w) {
        this.sid = sid;
        this.w = w;
    }

    /** True if the last record written had a field cut to a limit. */
    boolean lastWasTruncated() {
        return cut;
    }

    void begin(long seq, String kind, long ts) {
        cut = false;
        w.beginObject();
        w.field("sid", sid).field("seq", seq).field("kind", kind).field("ts", ts);
    }

    void end() {
        w.endObject();
    }

    void sessionStart(long seq, long ts, SessionInfo info) {
        begin(seq, "session_start", ts);
        text("product", info.product, 128);
        text("version", info.version, 128);
        optionalText("hostname", info.hostname, MAX_NAME);
        optionalText("machine_id", info.machineId, MAX_NAME);
        w.field("pid", info.pid);
        w.field("client", info.client);
        optionalText("cwd", info.cwd, MAX_PATH);
        w.field("hang_timeout_ms", info.hangTimeoutMs);
        w.name("attrs");
        writeMap(info.attrs);
        end();
    }

    void event(long seq, RecordRing r, int i) {
        begin(seq, "event", r.ts(i));
        name(r.name(i));
        w.field("level", LEVELS[r.code(i)].wireName());
        data(r, i);
        end();
    }

    void event(long seq, long ts, Event e) {
        begin(seq, "event", ts);
        name(e.name());
        w.field("level", e.level().wireName());
        optionalText("category", e.category(), MAX_NAME);
        optionalText("group", e.group(), MAX_NAME);
        if (!e.labels().isEmpty()) {
            stringList("labels", e.labels(), MAX_LIST, MAX_NAME);
        }
        optionalText("message", e.message(), MAX_MESSAGE);
        if (!e.data().isEmpty()) {
            w.name("data");
            writeMap(e.data());
        }
        end();
    }

    /**
     * The class name without its package ({@code Outer$1} for an anonymous class, where
     * {@code getSimpleName()} is empty, and which on Java 8 can throw for some generated classes).
     */
    static String shortName(Class<?> type) {
        String name = type.getName();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    void exception(long seq, RecordRing r, int i) {
        Throwable t = (Throwable) r.ref(i);
        begin(seq, "exception", r.ts(i));
        w.field("name", "exception");
        w.field("level", LEVELS[r.code(i)].wireName());
        w.field("group", "exception");
        w.name("labels").beginArray().value("exception");
        cut |= w.value(shortName(t.getClass()), MAX_NAME);
        w.endArray();
        String msg = StackTraces.message(t);
        optionalText("message", msg, MAX_MESSAGE);
        text("exception_type", t.getClass().getName(), MAX_SHORT);
        optionalText("exception_msg", msg, MAX_MESSAGE);
        stringList("stacktrace", StackTraces.lines(t), StackTraces.MAX_LINES, MAX_STACK_LINE);
        StackTraceElement[] trace = t.getStackTrace();
        if (trace.length > 0) {
            StackTraceElement top = trace[0];
            optionalText("source_file", top.getFileName(), MAX_PATH);
            if (top.getLineNumber() > 0) {
                w.field("source_line", top.getLineNumber());
            }
            text("source_function", top.getClassName() + "." + top.getMethodName(), MAX_SHORT);
        }
        data(r, i);
        end();
    }

    /** A raw metric record: gauges, and every metric of a synchronous session. */
    void metric(long seq, RecordRing r, int i) {
        begin(seq, "metric", r.ts(i));
        Object ref = r.ref(i);
        if (ref instanceof MetricKey) {
            MetricKey key = (MetricKey) ref;
            name(key.name());
            w.field("type", MetricKind.wire(key.kind()));
            w.field("value", r.value(i));
            writeTags(w, key.tags(), MAX_NAME);
            w.optionalField("unit", key.unit());
        } else {
            name(r.name(i));
            w.field("type", MetricKind.wire(r.code(i)));
            w.field("value", r.value(i));
            tags(r.tagsOrNull(i));
            if (r.code(i) == MetricKind.TIMER) {
                w.field("unit", "ms");
            }
        }
        end();
    }

    /** An aggregate over a metrics interval of {@code intervalMs}, stamped with its last call's time. */
    void aggregate(long seq, Aggregate a, long intervalMs) {
        begin(seq, "metric", a.lastTs());
        a.writeFields(w, MAX_NAME, MAX_NAME);
        if (a.kind == MetricKind.COUNTER) {
            w.field("interval_ms", intervalMs);
        }
        end();
    }

    void state(long seq, RecordRing r, int i) {
        begin(seq, "state", r.ts(i));
        w.name("patch");
        if (r.hasDoc(i)) {
            writeDocument(r.doc(i));
        } else {
            w.beginObject().endObject();
        }
        end();
    }

    void end(long seq, long ts) {
        begin(seq, "end", ts);
        end();
    }

    void report(long seq, long ts, Report r) {
        switch (r.type()) {
            case CRASH:
                begin(seq, "crash", ts);
                text("reason", r.reason(), MAX_SHORT);
                optionalText("message", r.message(), MAX_MESSAGE);
                w.name("detail");
                writeMap(r.detail());
                break;
            case HANG:
                begin(seq, "hang", ts);
                optionalText("thread", r.thread(), MAX_NAME);
                stringList("stack", r.stack(), StackTraces.MAX_LINES, MAX_STACK_LINE);
                w.field("timeout_ms", r.timeoutMs());
                w.field("silent_ms", r.silentMs());
                w.field("detected_by", "client");
                break;
            default:
                begin(seq, "recovered", ts);
                w.field("duration_ms", r.durationMs());
        }
        end();
    }

    private void name(String name) {
        text("name", nameOrUnnamed(name), MAX_NAME);
    }

    /**
     * The name to send: the daemon refuses a missing or blank name (and with it the whole
     * batch), so such a call is sent as {@code (unnamed)} instead.
     */
    static String nameOrUnnamed(String name) {
        if (name != null) {
            for (int i = 0, n = Math.min(name.length(), MAX_NAME); i < n; i++) {
                if (!Character.isWhitespace(name.charAt(i))) {
                    return name;
                }
            }
        }
        return "(unnamed)";
    }

    private void text(String field, String value, int max) {
        w.name(field);
        cut |= w.value(value == null ? "" : value, max);
    }

    private void optionalText(String field, String value, int max) {
        if (value != null) {
            text(field, value, max);
        }
    }

    private void stringList(String field, List<String> items, int maxItems, int maxChars) {
        w.name(field).beginArray();
        int n = Math.min(items.size(), maxItems);
        cut |= items.size() > maxItems;
        for (int i = 0; i < n; i++) {
            cut |= w.value(items.get(i), maxChars);
        }
        w.endArray();
    }

    private void tags(StringList tags) {
        if (tags == null || tags.size() == 0) {
            return;
        }
        w.name("tags").beginArray();
        int n = Math.min(tags.size(), MAX_LIST);
        cut |= tags.size() > MAX_LIST;
        for (int i = 0; i < n; i++) {
            cut |= w.value(tags.get(i), MAX_NAME);
        }
        w.endArray();
    }

    static void writeTags(JsonWriter w, String[] tags, int maxChars) {
        if (tags == null || tags.length == 0) {
            return;
        }
        w.name("tags").beginArray();
        for (int i = 0; i < Math.min(tags.length, MAX_LIST); i++) {
            // A null tag is sent as text, as the calls by name do (StringList).
            w.value(String.valueOf(tags[i]), maxChars);
        }
        w.endArray();
    }

    private void data(RecordRing r, int i) {
        if (r.hasDoc(i)) {
            w.name("data");
            writeDocument(r.doc(i));
        }
    }

    /**
     * Writes a map copy. A key that repeats within one object (keys {@code 1} and {@code "1"}
     * both become {@code "1"}; an {@code IdentityHashMap} may hold two equal strings) is
     * written once, its first value kept, and the record counted as cut: JSON with a repeated
     * key would make the daemon refuse the whole batch.
     */
    private void writeDocument(Document d) {
        cut |= d.truncated();
        if (d.isEmpty()) {
            w.beginObject().endObject();
            return;
        }
        openKeys = 0;
        keyCount = 0;
        for (int i = 0, n = d.size(); i < n; i++) {
            switch (d.token(i)) {
                case Document.OBJECT_START:
                case Document.ARRAY_START:
                    if (d.token(i) == Document.OBJECT_START) {
                        w.beginObject();
                    } else {
                        w.beginArray();
                    }
                    keysFrom[openKeys] = keyCount;
                    keySets[openKeys] = null;
                    openKeys++;
                    break;
                case Document.OBJECT_END:
                case Document.ARRAY_END:
                    if (d.token(i) == Document.OBJECT_END) {
                        w.endObject();
                    } else {
                        w.endArray();
                    }
                    openKeys--;
                    keyCount = keysFrom[openKeys];
                    break;
                case Document.KEY:
                    String key = (String) d.ref(i);
                    if (key.length() > MAX_KEY) {
                        key = JsonWriter.cut(key, MAX_KEY);
                        cut = true;
                    }
                    if (repeated(JsonWriter.asWritten(key))) {
                        cut = true;
                        i = endOfValue(d, i + 1);
                    } else {
                        w.name(key);
                    }
                    break;
                case Document.DOUBLE: w.value(Double.longBitsToDouble(d.bits(i))); break;
                case Document.LONG: w.value(d.bits(i)); break;
                case Document.BOOLEAN: w.value(d.bits(i) != 0); break;
                default: scalar(d.ref(i));
            }
        }
    }

    /** Whether {@code key} was already written in the innermost open object; remembers it if not. */
    private boolean repeated(String key) {
        int frame = openKeys - 1;
        Set<String> set = keySets[frame];
        if (set != null) {
            return !set.add(key);
        }
        int from = keysFrom[frame];
        for (int k = from; k < keyCount; k++) {
            if (keys[k].equals(key)) {
                return true;
            }
        }
        if (keyCount - from < SCANNED_KEYS) {
            if (keyCount == keys.length) {
                keys = Arrays.copyOf(keys, keys.length * 2);
            }
            keys[keyCount++] = key;
            return false;
        }
        // A big object: from here on its keys go into a set (the sender's thread may allocate).
        set = new HashSet<String>(Arrays.asList(keys).subList(from, keyCount));
        set.add(key);
        keySets[frame] = set;
        return false;
    }

    /** The index of the last token of the value that starts at {@code i}. */
    private static int endOfValue(Document d, int i) {
        int depth = 0;
        for (;; i++) {
            byte t = d.token(i);
            if (t == Document.OBJECT_START || t == Document.ARRAY_START) {
                depth++;
            } else if (t == Document.OBJECT_END || t == Document.ARRAY_END) {
                depth--;
            }
            if (depth == 0) {
                return i;
            }
        }
    }

    /** A map the sender holds itself (session attributes, an event object's data, a crash's detail). */
    private void writeMap(Map<?, ?> map) {
        scratch.copyMap(map);
        writeDocument(scratch);
        // Not kept past the record: the sender's own copy keeps nothing of the caller's alive.
        scratch.clear();
    }

    /** A {@link Document#VALUE}: null, a String, a BigInteger or a BigDecimal (numbers and booleans are bits). */
    private void scalar(Object v) {
        if (v == null) {
            w.nullValue();
        } else if (v instanceof String) {
            cut |= w.value((String) v, MAX_MESSAGE);
        } else if (v instanceof BigInteger) {
            BigInteger b = (BigInteger) v;
            if (b.bitLength() < 64) {
                w.value(b.longValue());
            } else {
                w.value(b.toString());
            }
        } else {
            // Beyond a double's range, its exact text: a number there would be refused as infinite.
            double d = ((BigDecimal) v).doubleValue();
            if (Double.isInfinite(d)) {
                w.value(v.toString());
            } else {
                w.value(d);
            }
        }
    }

    /** What {@code session_start} tells about the app. */
    static final class SessionInfo {
        final String product;
        final String version;
        final String hostname;
        final String machineId;
        final long pid;
        final String client;
        final String cwd;
        final long hangTimeoutMs;
        final Map<String, Object> attrs;

        SessionInfo(String product, String version, String hostname, String machineId, long pid, String client,
                    String cwd, long hangTimeoutMs, Map<String, Object> attrs) {
            this.product = product;
            this.version = version;
            this.hostname = hostname;
            this.machineId = machineId;
            this.pid = pid;
            this.client = client;
            this.cwd = cwd;
            this.hangTimeoutMs = hangTimeoutMs;
            this.attrs = attrs;
        }
    }
}

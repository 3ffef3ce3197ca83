package io.datacat.client.ring;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A snapshot of a map tree (event data, state patch) taken on the calling thread, so the
 * caller may change its map right after the call and the sender still sends what it saw.
 *
 * <p>The tree is flattened into parallel token arrays that are reused from call to call:
 * once they have grown to the working size, copying allocates nothing. Boxed integers,
 * floating-point numbers and booleans are copied as bits; strings and big numbers are
 * immutable, so the copy keeps references to them; maps, lists and arrays are walked; other
 * objects are turned into strings ({@code toString()}). Iteration goes through {@code forEach}
 * with this object as the consumer, which spares the iterator allocation of an entry-set loop.
 *
 * <p>Why bits, and why a reference is written only when it differs from the one already in
 * place: with G1, the JVM's default collector, every store of a reference into an old object
 * (these arrays live as long as the session) runs a write barrier with a full memory fence.
 * The JMH event-with-a-map call cost 138 ns with G1 against 100 ns with the parallel or serial
 * collector; a frame loop's map calls copy the same keys into the same few pool documents, so
 * keys are kept across uses (see {@link #clearAfterSend()}) and rewriting one is a read.
 */
public final class Document implements BiConsumer<Object, Object>, Consumer<Object> {
    public static final byte OBJECT_START = 1;
    public static final byte OBJECT_END = 2;
    public static final byte ARRAY_START = 3;
    public static final byte ARRAY_END = 4;
    /** A key: {@link #ref(int)} is its string. */
    public static final byte KEY = 5;
    /** A value: {@link #ref(int)} is null, a String, a BigInteger or a BigDecimal. */
    public static final byte VALUE = 6;
    /** A double held in {@link #bits(int)}. */
    public static final byte DOUBLE = 7;
    /** A long held in {@link #bits(int)}. */
    public static final byte LONG = 8;
    /** A boolean held in {@link #bits(int)}: 1 for true, 0 for false. */
    public static final byte BOOLEAN = 9;

    /** Deeper trees are cut: the server refuses JSON nested deeper than 64 levels. */
    public static final int MAX_DEPTH = 32;
    /** Bounds the memory one call can pin in a slot. */
    public static final int MAX_TOKENS = 1 << 16;

    /**
     * Keys below this token index stay in place when the sender clears a document, so the next
     * call with the same keys writes none (keys are nearly always constants, and this bounds
     * what a document keeps alive).
     */
    static final int KEPT_KEYS = 64;

    /** Entries stop here, leaving room to close every open container. */
    private static final int BUDGET = MAX_TOKENS - 2 * MAX_DEPTH - 4;
    private static final String TOO_DEEP = "(truncated: nested too deep)";

    private static final int INITIAL_TOKENS = 16;
    private static final long[] NO_BITS = new long[0];

    // Allocated with the object, so a small map's copy sits in adjacent cache lines.
    private byte[] tokens = new byte[INITIAL_TOKENS];
    private Object[] refs = new Object[INITIAL_TOKENS];
    /** Only numbers and booleans use it, so a map of strings never allocates it. */
    private long[] bits = NO_BITS;
    private int size;
    private int depth;
    private boolean truncated;
    /** Its index in a ring's pool of documents, or -1 for a slot's spare or a free-standing one. */
    final int poolIndex;

    public Document() {
        this(-1);
    }

    Document(int poolIndex) {
        this.poolIndex = poolIndex;
    }

    /** Empties the document and drops every reference it holds. */
    public void clear() {
        Arrays.fill(refs, null);
        reset();
    }

    /**
     * Empties the document once sent, dropping what it holds of the caller's values but keeping
     * the first {@link #KEPT_KEYS} tokens' keys, which the next copy of the same keys then need
     * not write. Writes only references that are not null already.
     */
    void clearAfterSend() {
        Object[] r = refs;
        byte[] t = tokens;
        for (int i = 0; i < size; i++) {
            if (r[i] != null && (t[i] != KEY || i >= KEPT_KEYS)) {
                r[i] = null;
            }
        }
        reset();
    }

    private void reset() {
        size = 0;
        depth = 0;
        truncated = false;
    }

    /**
     * Replaces the content with a snapshot of {@code map}; null gives an empty document. The
     * references of an earlier content past the new one's end stay until overwritten.
     */
    public void copyMap(Map<?, ?> map) {
        reset();
        if (map != null) {
            appendMap(map);
        }
    }

    /** True when nothing was copied (no map given). */
    public boolean isEmpty() {
        return size == 0;
    }

    /** True when part of the tree was cut by a limit. */
    public boolean truncated() {
        return truncated;
    }

    public int size() {
        return size;
    }

    public byte token(int i) {
        return tokens[i];
    }

    public Object ref(int i) {
        return refs[i];
    }

    /** The number of a {@link #DOUBLE}, {@link #LONG} or {@link #BOOLEAN} token (meaningless for other tokens). */
    public long bits(int i) {
        return bits[i];
    }

    /** Map entries during {@code forEach}. */
    @Override
    public void accept(Object key, Object value) {
        if (full()) {
            return;
        }
        add(KEY, key instanceof String ? key : String.valueOf(key));
        appendValue(value);
    }

    /** Collection elements during {@code forEach}. */
    @Override
    public void accept(Object element) {
        if (!full()) {
            appendValue(element);
        }
    }

    private void appendMap(Map<?, ?> map) {
        if (!enter()) {
            return;
        }
        add(OBJECT_START, null);
        map.forEach(this);
        add(OBJECT_END, null);
        depth--;
    }

    private boolean enter() {
        if (depth >= MAX_DEPTH) {
            truncated = true;
            add(VALUE, TOO_DEEP);
            return false;
        }
        depth++;
        return true;
    }

    private void appendValue(Object v) {
        if (v == null || v instanceof String) {
            add(VALUE, v);
        } else if (v instanceof Boolean) {
            addBits(BOOLEAN, (Boolean) v ? 1 : 0);
        } else if (v instanceof Number) {
            appendNumber((Number) v);
        } else if (v instanceof Map) {
            appendMap((Map<?, ?>) v);
        } else if (v instanceof Collection) {
            appendCollection((Collection<?>) v);
        } else if (v instanceof Object[]) {
            Object[] arr = (Object[]) v;
            if (enter()) {
                add(ARRAY_START, null);
                for (Object o : arr) {
                    if (full()) {
                        break;
                    }
                    appendValue(o);
                }
                add(ARRAY_END, null);
                depth--;
            }
        } else if (v.getClass().isArray()) {
            appendPrimitiveArray(v);
        } else if (v instanceof Enum) {
            add(VALUE, ((Enum<?>) v).name());
        } else if (v instanceof Character) {
            add(VALUE, v.toString());
        } else {
            // Unknown (possibly mutable) objects are frozen as their text now, on the caller's thread.
            add(VALUE, String.valueOf(v));
        }
    }

    private void appendNumber(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
            addBits(LONG, n.longValue());
        } else if (n instanceof Double || n instanceof Float) {
            addBits(DOUBLE, Double.doubleToRawLongBits(n.doubleValue()));
        } else if (n instanceof BigInteger || n instanceof BigDecimal) {
            add(VALUE, n);
        } else if (n.doubleValue() == n.longValue()) {
            // AtomicLong, LongAdder and friends change after the call: copy their value now.
            addBits(LONG, n.longValue());
        } else {
            addBits(DOUBLE, Double.doubleToRawLongBits(n.doubleValue()));
        }
    }

    private void appendCollection(Collection<?> c) {
        if (!enter()) {
            return;
        }
        add(ARRAY_START, null);
        if (c instanceof List && c instanceof RandomAccess) {
            List<?> list = (List<?>) c;
            for (int i = 0, n = list.size(); i < n && !full(); i++) {
                appendValue(list.get(i));
            }
        } else {
            c.forEach(this);
        }
        add(ARRAY_END, null);
        depth--;
    }

    private void appendPrimitiveArray(Object array) {
        if (!enter()) {
            return;
        }
        add(ARRAY_START, null);
        if (array instanceof int[]) {
            for (int x : (int[]) array) {
                if (full()) {
                    break;
                }
                addBits(LONG, x);
            }
        } else if (array instanceof long[]) {
            for (long x : (long[]) array) {
                if (full()) {
                    break;
                }
                addBits(LONG, x);
            }
        } else if (array instanceof double[]) {
            for (double x : (double[]) array) {
                if (full()) {
                    break;
                }
                addBits(DOUBLE, Double.doubleToRawLongBits(x));
            }
        } else if (array instanceof float[]) {
            for (float x : (float[]) array) {
                if (full()) {
                    break;
                }
                addBits(DOUBLE, Double.doubleToRawLongBits(x));
            }
        } else if (array instanceof short[]) {
            for (short x : (short[]) array) {
                if (full()) {
                    break;
                }
                addBits(LONG, x);
            }
        } else if (array instanceof byte[]) {
            for (byte x : (byte[]) array) {
                if (full()) {
                    break;
                }
                addBits(LONG, x);
            }
        } else if (array instanceof boolean[]) {
            for (boolean x : (boolean[]) array) {
                if (full()) {
                    break;
                }
                addBits(BOOLEAN, x ? 1 : 0);
            }
        } else if (array instanceof char[]) {
            add(VALUE, new String((char[]) array));
        }
        add(ARRAY_END, null);
        depth--;
    }

    /** True, and marks the copy truncated, once only the closing tokens still fit. */
    private boolean full() {
        if (size >= BUDGET) {
            truncated = true;
            return true;
        }
        return false;
    }

    private void add(byte token, Object ref) {
        if (size == tokens.length) {
            grow();
        }
        tokens[size] = token;
        if (refs[size] != ref) {
            refs[size] = ref;
        }
        size++;
    }

    private void addBits(byte token, long bit) {
        if (size == tokens.length) {
            grow();
        }
        if (bits.length < tokens.length) {
            bits = Arrays.copyOf(bits, tokens.length);
        }
        tokens[size] = token;
        bits[size] = bit;
        size++;
    }

    private void grow() {
        int n = Math.min(tokens.length * 2, MAX_TOKENS);
        tokens = Arrays.copyOf(tokens, n);
        refs = Arrays.copyOf(refs, n);
    }
}

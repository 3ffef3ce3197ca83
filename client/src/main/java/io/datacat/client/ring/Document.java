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
 * once they have grown to the working size, copying allocates nothing. Strings, boxed
 * numbers and booleans are immutable, so the copy keeps references to them; maps, lists
 * and arrays are walked; other objects are turned into strings ({@code toString()}).
 * Iteration goes through {@code forEach} with this object as the consumer, which spares
 * the iterator allocation of an entry-set loop.
 */
public final class Document implements BiConsumer<Object, Object>, Consumer<Object> {
    public static final byte OBJECT_START = 1;
    public static final byte OBJECT_END = 2;
    public static final byte ARRAY_START = 3;
    public static final byte ARRAY_END = 4;
    /** A key: {@link #ref(int)} is its string. */
    public static final byte KEY = 5;
    /** A value: {@link #ref(int)} is null, a String, a Boolean or an immutable Number. */
    public static final byte VALUE = 6;
    /** A double held in {@link #bits(int)} (from a primitive array or a mutable Number). */
    public static final byte DOUBLE = 7;
    /** A long held in {@link #bits(int)}. */
    public static final byte LONG = 8;

    /** Deeper trees are cut: the server refuses JSON nested deeper than 64 levels. */
    public static final int MAX_DEPTH = 32;
    /** Bounds the memory one call can pin in a slot. */
    public static final int MAX_TOKENS = 1 << 16;

    /** Entries stop here, leaving room to close every open container. */
    private static final int BUDGET = MAX_TOKENS - 2 * MAX_DEPTH - 4;
    private static final String TOO_DEEP = "(truncated: nested too deep)";

    private static final int INITIAL_TOKENS = 16;
    private static final long[] NO_BITS = new long[0];

    // Allocated with the object, so a small map's copy sits in adjacent cache lines.
    private byte[] tokens = new byte[INITIAL_TOKENS];
    private Object[] refs = new Object[INITIAL_TOKENS];
    /** Only numbers held as bits use it, so maps of strings and boxed values never allocate it. */
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

    public void clear() {
        for (int i = 0; i < size; i++) {
            refs[i] = null;
        }
        size = 0;
        depth = 0;
        truncated = false;
    }

    /** Replaces the content with a snapshot of {@code map}; null gives an empty document. */
    public void copyMap(Map<?, ?> map) {
        clear();
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

    /** The number of a {@link #DOUBLE} or {@link #LONG} token (meaningless for other tokens). */
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
        if (v == null || v instanceof String || v instanceof Boolean) {
            add(VALUE, v);
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
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof Double || n instanceof Float || n instanceof BigInteger || n instanceof BigDecimal) {
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
                add(VALUE, x ? Boolean.TRUE : Boolean.FALSE);
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
        refs[size] = ref;
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

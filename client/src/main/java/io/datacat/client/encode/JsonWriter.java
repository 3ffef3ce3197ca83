package io.datacat.client.encode;

import java.util.Arrays;

/**
 * A minimal streaming JSON writer into a reusable byte buffer (UTF-8). Commas are placed
 * automatically; the caller pairs begin/end calls. It never emits NaN or Infinity: a
 * non-finite double becomes a string, so one bad value cannot make a batch invalid.
 */
public final class JsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes();
    private static final int MAX_DEPTH = 128;

    private byte[] buf;
    private int len;
    private final boolean[] needsComma = new boolean[MAX_DEPTH + 1];
    private int depth;
    private boolean afterName;

    public JsonWriter(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    /** Empties the buffer for the next document (keeps its capacity). */
    public void reset() {
        len = 0;
        depth = 0;
        afterName = false;
        needsComma[0] = false;
    }

    /** Cuts the buffer back to {@code length} bytes (to undo a partly written record). */
    public void truncateTo(int length, int depthAtMark, boolean commaAtMark) {
        len = length;
        depth = depthAtMark;
        needsComma[depth] = commaAtMark;
        afterName = false;
    }

    /** Removes bytes {@code [from, to)} of a finished document (to take one element out of it). */
    public void cut(int from, int to) {
        System.arraycopy(buf, to, buf, from, len - to);
        len -= to - from;
    }

    public int length() {
        return len;
    }

    public int depth() {
        return depth;
    }

    public boolean needsComma() {
        return needsComma[depth];
    }

    public byte[] buffer() {
        return buf;
    }

    /** A copy of the bytes written so far. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    public JsonWriter beginObject() {
        beforeValue();
        put((byte) '{');
        push();
        return this;
    }

    public JsonWriter endObject() {
        depth--;
        put((byte) '}');
        return this;
    }

    public JsonWriter beginArray() {
        beforeValue();
        put((byte) '[');
        push();
        return this;
    }

    public JsonWriter endArray() {
        depth--;
        put((byte) ']');
        return this;
    }

    public JsonWriter name(String name) {
        beforeValue();
        writeString(name, Integer.MAX_VALUE);
        put((byte) ':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String s) {
        beforeValue();
        if (s == null) {
            putAscii("null");
        } else {
            writeString(s, Integer.MAX_VALUE);
        }
        return this;
    }

    /**
     * Writes {@code s} cut to at most {@code maxChars} characters (the cut is marked in the
     * text itself).
     *
     * @return true if the string was cut
     */
    public boolean value(String s, int maxChars) {
        beforeValue();
        if (s == null) {
            putAscii("null");
            return false;
        }
        return writeString(s, maxChars);
    }

    public JsonWriter value(long v) {
        beforeValue();
        writeLong(v);
        return this;
    }

    public JsonWriter value(double v) {
        beforeValue();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            writeString(Double.toString(v), Integer.MAX_VALUE);
        } else if (v == (long) v && Math.abs(v) < 1e15 && !(v == 0 && 1 / v < 0)) {
            writeLong((long) v);
        } else {
            putAscii(Double.toString(v));
        }
        return this;
    }

    public JsonWriter value(boolean v) {
        beforeValue();
        putAscii(v ? "true" : "false");
        return this;
    }

    public JsonWriter nullValue() {
        beforeValue();
        putAscii("null");
        return this;
    }

    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, double value) {
        return name(name).value(value);
    }

    /** Writes the field only when {@code value} is not null. */
    public JsonWriter optionalField(String name, String value) {
        if (value != null) {
            name(name).value(value);
        }
        return this;
    }

    private void push() {
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        depth++;
        needsComma[depth] = false;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (needsComma[depth]) {
            put((byte) ',');
        }
        needsComma[depth] = true;
    }

    private boolean writeString(String s, int maxChars) {
        int n = s.length();
        boolean cut = n > maxChars;
        int end = cut ? cutPoint(s, maxChars - 48) : n;
        ensure(end * 3 + 2 + (cut ? 64 : 0));
        put((byte) '"');
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\') {
                    buf[len++] = (byte) c;
                } else {
                    escape(c);
                }
            } else if (c < 0x800) {
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf[len++] = (byte) (0xF0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                // A lone surrogate is not valid UTF-8: send the replacement character instead.
                buf[len++] = (byte) 0xEF;
                buf[len++] = (byte) 0xBF;
                buf[len++] = (byte) 0xBD;
            } else {
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        if (cut) {
            putAscii("...(truncated, " + n + " characters in all)");
        }
        put((byte) '"');
        return cut;
    }

    /**
     * The text a string is written as, uncut: {@code s} itself, or a copy with each lone
     * surrogate replaced by U+FFFD as {@link #value(String, int)} writes it. Two strings that
     * differ only there are written the same (for instance as two keys of one object).
     */
    public static String asWritten(String s) {
        StringBuilder out = null;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                if (out != null) {
                    out.append(c);
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else {
                if (out == null) {
                    out = new StringBuilder(n).append(s, 0, i);
                }
                out.append('\uFFFD');
            }
        }
        return out == null ? s : out.toString();
    }

    /** {@code s} cut to at most {@code max} characters, never between the two of a surrogate pair. */
    public static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, cutPoint(s, max));
    }

    /** A cut point at or below {@code max} that does not split a surrogate pair. */
    private static int cutPoint(String s, int max) {
        int end = Math.max(0, max);
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private void escape(char c) {
        // Escapes take up to 6 bytes where writeString reserved 3 per character.
        ensure(6);
        buf[len++] = '\\';
        switch (c) {
            case '"': buf[len++] = '"'; break;
            case '\\': buf[len++] = '\\'; break;
            case '\n': buf[len++] = 'n'; break;
            case '\r': buf[len++] = 'r'; break;
            case '\t': buf[len++] = 't'; break;
            case '\b': buf[len++] = 'b'; break;
            case '\f': buf[len++] = 'f'; break;
            default:
                buf[len++] = 'u';
                buf[len++] = '0';
                buf[len++] = '0';
                buf[len++] = HEX[(c >> 4) & 0xF];
                buf[len++] = HEX[c & 0xF];
        }
    }

    private void writeLong(long v) {
        if (v == Long.MIN_VALUE) {
            putAscii("-9223372036854775808");
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int start = len;
        do {
            buf[len++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    private void putAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}

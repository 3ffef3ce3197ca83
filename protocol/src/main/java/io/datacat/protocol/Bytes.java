package io.datacat.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array, for building frames and request bodies out of records' bytes.
 * Unlike {@code ByteArrayOutputStream} it takes no lock per write and lends its array out.
 */
public final class Bytes {
    private byte[] buf;
    private int size;

    public Bytes(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    public void write(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    public void write(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, size, len);
        size += len;
    }

    /** Writes a string known to be ASCII (JSON punctuation, field names, session ids). */
    public void writeAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size + i] = (byte) s.charAt(i);
        }
        size += n;
    }

    public int size() {
        return size;
    }

    /** The backing array; valid up to {@link #size()} until the next write. */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    public void reset() {
        size = 0;
    }

    @Override
    public String toString() {
        return new String(buf, 0, size, StandardCharsets.UTF_8);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(size + extra, buf.length * 2));
        }
    }
}

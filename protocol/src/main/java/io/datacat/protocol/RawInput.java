package io.datacat.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The bytes under a parser: either a whole array, or a stream whose bytes are kept as the
 * parser reads them, from the start of the record being read on ({@link #keepFrom}), so that
 * a valid record can be copied out as it came without holding the whole body. Offsets are
 * absolute positions in the body, as the parser reports them.
 */
final class RawInput extends InputStream {
    private final InputStream in;
    private byte[] buf;
    /** Body offset of {@code buf[0]}. */
    private long base;
    private int len;
    private long keepFrom;

    private RawInput(InputStream in, byte[] buf, int len) {
        this.in = in;
        this.buf = buf;
        this.len = len;
    }

    static RawInput of(byte[] body) {
        return new RawInput(null, body, body.length);
    }

    static RawInput of(InputStream body) {
        return new RawInput(body, new byte[32 * 1024], 0);
    }

    /** Bytes before {@code offset} are no longer needed. */
    void keepFrom(long offset) {
        keepFrom = offset;
    }

    /** The body's byte at {@code offset} (which must still be kept). */
    byte byteAt(long offset) {
        return buf[(int) (offset - base)];
    }

    /** Appends the body's bytes {@code [from, to)} to {@code out}. */
    void copy(long from, long to, Bytes out) {
        out.write(buf, (int) (from - base), (int) (to - from));
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            ensure(1);
            buf[len++] = (byte) b;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int n) throws IOException {
        int r = in.read(b, off, n);
        if (r > 0) {
            ensure(r);
            System.arraycopy(b, off, buf, len, r);
            len += r;
        }
        return r;
    }

    /** Makes room for {@code n} more bytes: first by dropping what is no longer kept, else by growing. */
    private void ensure(int n) {
        if (len + n <= buf.length) {
            return;
        }
        int drop = (int) Math.min(len, keepFrom - base);
        if (drop > 0) {
            System.arraycopy(buf, drop, buf, 0, len - drop);
            len -= drop;
            base += drop;
        }
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
        }
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }
}

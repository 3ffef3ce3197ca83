package io.datacat.protocol;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads at most {@code limit} bytes and fails past that, so a body (or a gzip bomb) can
 * never make a part read more than its limit into memory. The failure is the unchecked
 * {@link PayloadTooLargeException}, which crosses JSON parsers and {@code GZIPInputStream}
 * unchanged.
 */
public final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private long count;

    public BoundedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    /**
     * Wraps a request body: inflates it when {@code contentEncoding} is gzip, and bounds the
     * inflated size.
     */
    public static InputStream forBody(InputStream raw, String contentEncoding, long limit) throws IOException {
        InputStream in = raw;
        if (contentEncoding != null) {
            String enc = contentEncoding.trim().toLowerCase();
            if (enc.equals("gzip") || enc.equals("x-gzip")) {
                try {
                    in = new GZIPInputStream(new BoundedInputStream(raw, limit), 8192);
                } catch (IOException e) {
                    throw new InvalidInputException("request body is not valid gzip: " + e.getMessage());
                }
            } else if (!enc.isEmpty() && !enc.equals("identity")) {
                throw new InvalidInputException("unsupported Content-Encoding '" + contentEncoding + "'; use gzip or none");
            }
        }
        return new BoundedInputStream(in, limit);
    }

    /** Reads the whole stream, failing with {@link PayloadTooLargeException} past the limit. */
    public static byte[] readAll(InputStream in, String contentEncoding, long limit) {
        try (InputStream body = forBody(in, contentEncoding, limit)) {
            return body.readAllBytes();
        } catch (IOException e) {
            throw new InvalidInputException("could not read the request body: " + e.getMessage());
        }
    }

    /**
     * How much of a refused body an HTTP server still reads and throws away so the client gets
     * its 413: closing a connection with unread bytes in the socket makes the kernel send a
     * reset, which can destroy the answer before the client has read it. A body larger than
     * this is cut off (the client may then see a reset instead of the 413).
     */
    public static final long DISCARD_LIMIT = 64L * 1024 * 1024;

    /** Reads and drops what is left of a refused request body, up to {@link #DISCARD_LIMIT} bytes. */
    public static void discardRest(InputStream raw) {
        byte[] sink = new byte[16 * 1024];
        long left = DISCARD_LIMIT;
        try {
            for (int n; left > 0 && (n = raw.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) {
                left -= n;
            }
        } catch (IOException e) {
            // The client stopped sending; there is no answer left to protect.
        }
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }

    private void count(long n) {
        count += n;
        if (count > limit) {
            throw new PayloadTooLargeException(limit);
        }
    }
}

package io.datacat.server.web;

import io.datacat.protocol.BoundedInputStream;
import io.datacat.protocol.PayloadTooLargeException;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies within {@code --max-body}: a declared Content-Length over the limit
 * is refused before anything is read, and the read itself stops at the limit (after gzip
 * inflation too), so no body can make the server hold more than the limit in memory.
 */
final class RequestBodies {
    private final long maxBytes;

    RequestBodies(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    byte[] read(Context ctx) {
        checkDeclaredLength(ctx);
        try {
            return BoundedInputStream.readAll(ctx.req().getInputStream(), ctx.header("Content-Encoding"), maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The body as a stream (inflated, bounded), for a reader that keeps only what it needs: a
     * batch of 5,000 records read whole is an array of most of a MiB, which the collector
     * allocates outside its young generation and reclaims only in a full marking cycle.
     */
    InputStream open(Context ctx) {
        checkDeclaredLength(ctx);
        try {
            return BoundedInputStream.forBody(ctx.req().getInputStream(), ctx.header("Content-Encoding"), maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads and drops the rest of a refused body, so the client reads its 413 instead of a reset. */
    static void discardRest(Context ctx) {
        try {
            BoundedInputStream.discardRest(ctx.req().getInputStream());
        } catch (IOException e) {
            // No body stream to drain: nothing stands between the client and the answer.
        }
    }

    private void checkDeclaredLength(Context ctx) {
        if (ctx.req().getContentLengthLong() > maxBytes) {
            throw new PayloadTooLargeException(maxBytes);
        }
    }
}

package io.datacat.client.ring;

import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link AtomicLong} followed by a cache line of padding, so the producers' cursor and
 * the sender's cursor never share a cache line (false sharing would make every claim pay
 * for the sender's writes).
 */
@SuppressWarnings("unused")
final class PaddedAtomicLong extends AtomicLong {
    private static final long serialVersionUID = 1L;
    private long p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;

    PaddedAtomicLong(long initial) {
        super(initial);
    }
}

package io.datacat.client.send;

import io.datacat.client.ring.RecordRing;

import java.util.concurrent.locks.LockSupport;

/**
 * One way into a session's pipeline: a ring plus the policy of the session that writes to
 * it (queue size, drop or wait when full, synchronous or not). An {@code AsyncSession}
 * wrapping a synchronous session adds its own front to the same pipeline, so both keep one
 * sequence of records.
 */
public final class Front {
    /** Room kept above the queue size for end, crash and hang reports. */
    static final int RESERVE = 64;

    private final Pipeline pipeline;
    private final RecordRing ring;
    private final boolean dropOnFull;
    private final boolean synchronous;
    /**
     * Positions at multiples of this (+1) wake the sender if as many are undrained, this one
     * included: a burst is drained early (a queue under 8 wakes it at every call).
     */
    private final int wakeMask;
    /** The sender's bookkeeping, apart from the fields callers read on every call. */
    final Progress progress = new Progress();

    /**
     * What the sender writes after every drain, on cache lines of its own (a line of padding
     * on each side): in the front's own line, it would cost the game's first call after every
     * drain a cache miss.
     */
    @SuppressWarnings("unused")
    static final class Progress {
        // Fields of one size are laid out in the order declared, so the padding brackets the three.
        private long p1, p2, p3, p4, p5, p6, p7;
        /** Positions below this one are delivered, refused or dropped: nothing to wait for. */
        volatile long handledThrough;
        /** The positions a pending flush waits for (sender thread only). */
        long flushTarget;
        /** The drained position when the batch in flight was sealed (sender thread only). */
        long drainedAtSeal;
        private long q1, q2, q3, q4, q5, q6, q7;
    }

    Front(Pipeline pipeline, int queueSize, boolean dropOnFull, boolean synchronous) {
        this.pipeline = pipeline;
        this.ring = new RecordRing(queueSize, RESERVE);
        this.dropOnFull = dropOnFull;
        this.synchronous = synchronous;
        this.wakeMask = Integer.highestOneBit(Math.max(1, queueSize / 4)) - 1;
    }

    public boolean synchronous() {
        return synchronous;
    }

    /** The ring a caller fills its claimed slot in. */
    public RecordRing ring() {
        return ring;
    }

    /**
     * Claims a position for a logging call, or returns -1 when the call is dropped (queue full
     * with drop-on-full, or the session is over); the drop is counted here.
     */
    public long claim() {
        long p = ring.tryClaim();
        if (p >= 0) {
            return p;
        }
        if (dropOnFull) {
            pipeline.countDroppedUnclaimed();
            return -1;
        }
        pipeline.wakeSender();
        while ((p = ring.tryClaim()) < 0) {
            // Once shutdown begins, a call waiting for room is dropped (counted), not kept waiting;
            // so is a synchronous call while no daemon can start to make room.
            if (pipeline.closing() || pipeline.stopping() || synchronous && pipeline.daemonStartFailing()) {
                pipeline.countDroppedUnclaimed();
                return -1;
            }
            LockSupport.parkNanos(100_000L);
        }
        return p;
    }

    /** Claims a position from the reserve for a report, waiting until {@code deadline} at most. */
    long claimReserved(long deadline) {
        long p;
        while ((p = ring.tryClaimReserved()) < 0) {
            if (System.nanoTime() - deadline > 0) {
                return -1;
            }
            pipeline.wakeSender();
            LockSupport.parkNanos(200_000L);
        }
        return p;
    }

    /**
     * Publishes a filled position; a synchronous front then waits for the daemon's ack.
     *
     * <p>An asynchronous sender wakes every flush interval by itself. A burst that fills a quarter
     * of the queue before that wakes it early, so it cannot fill the queue unseen. Checked once per
     * quarter queue of positions (reading the sender's cursor costs a cache miss), and only a queue
     * that is really filling wakes it: an unpark is a system call (4 µs at the median on a 2-core
     * VM, 22 µs at p99), which a game whose sender keeps up never pays. The wake-up comes after
     * the publish: woken at the claim, the sender could find the position not yet published, drain
     * nothing and sleep a whole interval with it.
     */
    public void publish(long position) {
        ring.publish(position);
        if (synchronous) {
            pipeline.wakeSender();
            pipeline.awaitHandled(this, position);
        } else if ((position & wakeMask) == 0 && position - ring.drained() >= wakeMask) {
            pipeline.wakeSender();
        }
    }
}

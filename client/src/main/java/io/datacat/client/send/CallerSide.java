package io.datacat.client.send;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * What the game's calls touch on every call: whether the session is closing, and the last
 * heartbeat. It sits on cache lines of its own (a line of padding on each side), because
 * the sender writes the pipeline's own fields all the time: read from there, these cost the
 * game thread a cache miss at the first call after every drain, that is in every frame.
 */
@SuppressWarnings("unused")
public final class CallerSide {
    private static final AtomicLongFieldUpdater<CallerSide> CLOSING =
            AtomicLongFieldUpdater.newUpdater(CallerSide.class, "closing");
    private static final AtomicLongFieldUpdater<CallerSide> LAST_BEAT =
            AtomicLongFieldUpdater.newUpdater(CallerSide.class, "lastBeat");

    // Fields of one size are laid out in the order declared, so the padding brackets the three.
    private long p1, p2, p3, p4, p5, p6, p7;
    /** 1 once {@code end}, {@code shutdown} or a crash report began. */
    private volatile long closing;
    /** {@code System.nanoTime()} of the last heartbeat, 0 before the first. */
    private volatile long lastBeat;
    /** {@code Thread.getId()} of the thread that sent the last heartbeat. */
    private volatile long beatThreadId = -1;
    private long q1, q2, q3, q4, q5, q6, q7;

    public boolean closing() {
        return closing != 0;
    }

    /** Marks the session closing; true for the one call that did. */
    boolean close() {
        return CLOSING.compareAndSet(this, 0, 1);
    }

    long lastBeat() {
        return lastBeat;
    }

    /** A heartbeat from the calling thread: a plain memory write, cheap enough for every frame. */
    public void heartbeat(Pipeline pipeline) {
        Thread current = Thread.currentThread();
        if (beatThreadId != current.getId()) {
            beatFrom(pipeline, current);
        }
        beat();
    }

    /**
     * Another thread than the last: the watchdog reports a hang with this thread's stack. Locked,
     * so that when two threads beat at once the thread kept and the id compared always match.
     */
    private synchronized void beatFrom(Pipeline pipeline, Thread current) {
        pipeline.heartbeatThread(current);
        beatThreadId = current.getId();
    }

    /** Counts as a heartbeat now. */
    void beat() {
        LAST_BEAT.lazySet(this, System.nanoTime());
    }
}

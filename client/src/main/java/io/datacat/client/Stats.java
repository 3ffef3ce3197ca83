package io.datacat.client;

/**
 * What happened to a session's logging calls so far. Every call with something to log ends up
 * in exactly one of {@link #sent()}, {@link #dropped()} or {@link #queued()}; calls made after
 * the session ended are counted in {@link #ignoredAfterEnd()} and nowhere else. A call with
 * nothing to log ({@code updateState(null)}, {@code logException(null)}, a {@code null}
 * {@code Event}) does nothing and is not counted. Counters, histograms and timers of an
 * asynchronous session are summed per metrics interval, so many calls may travel as one
 * record; each call is still counted here.
 */
public final class Stats {
    private final long sent;
    private final long dropped;
    private final long queued;
    private final long ignoredAfterEnd;
    private final long truncated;
    private final int daemonRestarts;
    private final String lastError;

    public Stats(long sent, long dropped, long queued, long ignoredAfterEnd, long truncated, int daemonRestarts,
                 String lastError) {
        this.sent = sent;
        this.dropped = dropped;
        this.queued = queued;
        this.ignoredAfterEnd = ignoredAfterEnd;
        this.truncated = truncated;
        this.daemonRestarts = daemonRestarts;
        this.lastError = lastError;
    }

    /** Calls the daemon has acknowledged: they are on its disk and will reach the server. */
    public long sent() {
        return sent;
    }

    /**
     * Calls dropped, each for one of these reasons (the last of them is in {@link #lastError()}):
     * the queue was full; still unsent when {@code shutdown} timed out; a metric value that is
     * not finite (NaN, infinite); a map that could not be copied (it changed on another thread
     * during the call, or a value's {@code toString()} threw); a record over 4 MiB of JSON; a
     * record the daemon refused.
     */
    public long dropped() {
        return dropped;
    }

    /** Calls accepted and not yet acknowledged by the daemon. */
    public long queued() {
        return queued;
    }

    /** Calls made after {@code end()} or {@code shutdown()}: harmless no-ops, counted here. */
    public long ignoredAfterEnd() {
        return ignoredAfterEnd;
    }

    /** Calls sent with a field shortened to DataCat's limits (long messages, deep maps…). */
    public long truncated() {
        return truncated;
    }

    /** How many times the client had to start a new daemon because the previous one died. */
    public int daemonRestarts() {
        return daemonRestarts;
    }

    /**
     * The last problem (daemon unreachable, refused record, dropped call…), or null; cleared
     * when a batch is delivered again.
     */
    public String lastError() {
        return lastError;
    }

    @Override
    public String toString() {
        return "Stats{sent=" + sent + ", dropped=" + dropped + ", queued=" + queued
                + ", ignoredAfterEnd=" + ignoredAfterEnd + ", truncated=" + truncated
                + ", daemonRestarts=" + daemonRestarts + (lastError == null ? "" : ", lastError='" + lastError + "'")
                + "}";
    }
}

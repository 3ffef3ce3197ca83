package io.datacat.client.send;

/**
 * Record timestamps (µs since the epoch) from {@code System.nanoTime()}, which is read from
 * the vDSO without a system call, plus an offset to wall-clock time that the sender thread
 * refreshes about once a second, so a long session follows the wall clock forward. The
 * offset never moves back, so one thread's timestamps never decrease: a timeline sorted by
 * time keeps each thread's calls in the order they were made.
 */
public final class Clock {
    private static volatile long offsetMicros = computeOffset();

    private Clock() {
    }

    public static long micros() {
        return System.nanoTime() / 1_000 + offsetMicros;
    }

    /** Converts a {@code System.nanoTime()} reading to µs since the epoch. */
    public static long microsAt(long nanoTime) {
        return nanoTime / 1_000 + offsetMicros;
    }

    /** Re-reads the wall clock; called from the sender thread. */
    public static void resync() {
        long fresh = computeOffset();
        if (fresh > offsetMicros) {
            offsetMicros = fresh;
        }
    }

    private static long computeOffset() {
        return System.currentTimeMillis() * 1_000 - System.nanoTime() / 1_000;
    }
}

package io.datacat.client.send;

/**
 * Record timestamps (µs since the epoch) from {@code System.nanoTime()}, which is read from
 * the vDSO without a system call, plus an offset to wall-clock time that the sender thread
 * refreshes about once a second, so a long session follows NTP corrections.
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
        offsetMicros = computeOffset();
    }

    private static long computeOffset() {
        return System.currentTimeMillis() * 1_000 - System.nanoTime() / 1_000;
    }
}

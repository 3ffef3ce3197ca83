package io.datacat.bench;

import org.HdrHistogram.Histogram;

import java.util.concurrent.locks.LockSupport;

/**
 * What waiting for the next frame costs the game thread on this machine before any logging: at
 * the start of each 60 FPS frame it times a fixed computation that touches no data in memory,
 * eight times in a row, then a pass over 64 cache lines it wrote itself the frame before, twice
 * in a row. The later passes show what the first would cost on a warm core. A slow first
 * computation is what the first work after the wait pays besides data (the core coming back,
 * and its code caches and branch predictors refilled), and the eighth tells whether the core is
 * still slow 2 µs later; slow first lines mean the data caches were emptied during the wait.
 * Neither depends on the logger: it is the floor under the first calls of every frame in
 * {@link FrameLoop}.
 */
final class WakeUp {
    static final String[] PROBES = {"computation, 1st", "2nd", "8th", "64 own lines, 1st", "2nd"};

    private static final long FRAME_NANOS = 1_000_000_000L / 60;
    /** About 300 ns of dependent register arithmetic on a warm core. */
    private static final int ROUNDS = 200;
    private static final int COMPUTATIONS = 8;
    private static final int LINES = 64;
    private static final int LONGS_PER_LINE = 8;

    /** What one run measured: one histogram per {@link #PROBES} entry. */
    record Result(String name, Histogram[] probes) {
    }

    private static volatile long sink;

    private WakeUp() {
    }

    static Result run(String name, double seconds, boolean spin) {
        long[] lines = new long[LINES * LONGS_PER_LINE];
        long[] spent = new long[PROBES.length];
        long acc = 0;
        // Called back to back until compiled, so the frames below time compiled code only,
        // whatever this loop itself runs as (a sleeping loop may stay interpreted).
        for (int i = 0; i < 20_000; i++) {
            acc += probe(lines, i, spent);
        }
        Histogram[] probes = new Histogram[PROBES.length];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = new Histogram(60_000_000_000L, 3);
        }
        long frames = Math.round(seconds * 60);
        long next = System.nanoTime();
        for (long f = -60; f < frames; f++) { // one second at the game's cadence first, not recorded
            acc += probe(lines, (int) f, spent);
            if (f >= 0) {
                for (int i = 0; i < probes.length; i++) {
                    probes[i].recordValue(spent[i]);
                }
            }
            next += FRAME_NANOS;
            long wait = next - System.nanoTime();
            if (wait <= 0) {
                next = System.nanoTime(); // a late frame starts the next one at once, as in FrameLoop
            } else if (spin) {
                while (next - System.nanoTime() > 0) {
                    Thread.onSpinWait();
                }
            } else {
                LockSupport.parkNanos(wait);
            }
        }
        sink = acc;
        return new Result(name, probes);
    }

    /** One frame's probes, in the order of {@link #PROBES}, their times written to {@code spent}. */
    private static long probe(long[] lines, int seed, long[] spent) {
        long acc = 0;
        for (int c = 0; c < COMPUTATIONS; c++) {
            long t = System.nanoTime();
            acc += compute(seed + c);
            long took = System.nanoTime() - t;
            if (c < 2) {
                spent[c] = took;
            } else if (c == COMPUTATIONS - 1) {
                spent[2] = took;
            }
        }
        long t1 = System.nanoTime();
        acc += touch(lines);
        long t2 = System.nanoTime();
        acc += touch(lines);
        long t3 = System.nanoTime();
        spent[3] = t2 - t1;
        spent[4] = t3 - t2;
        return acc;
    }

    /** xorshift64: each step needs the one before, so the time is the core's, not the memory's. */
    private static long compute(int seed) {
        long x = 0x9E3779B97F4A7C15L ^ seed;
        for (int i = 0; i < ROUNDS; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** Reads and writes one long in each of the 64 lines, so each line is fetched for writing. */
    private static long touch(long[] lines) {
        long s = 0;
        for (int i = 0; i < lines.length; i += LONGS_PER_LINE) {
            s += lines[i];
            lines[i] = s;
        }
        return s;
    }
}

package io.datacat.bench;

import org.HdrHistogram.Histogram;

import java.util.concurrent.locks.LockSupport;

/**
 * What the wait between frames costs the game thread on this machine before any logging, with
 * nothing else at work: at the start of each 60 FPS frame it times a fixed computation that
 * touches no memory, eight times in a row, then a pass over 64 cache lines it wrote itself the
 * frame before, twice in a row. The later passes show what the first would cost on a warm core.
 * After a sleep, a slow first computation is the price of waking (the core, or this VM's vCPU,
 * coming back), and the eighth tells whether the core is still slow 2 µs later; slow first lines
 * mean the caches were emptied while the thread slept, though nothing in this process or its
 * children ran. Neither depends on the logger: it is the floor under the
 * first calls of every frame in {@link FrameLoop}.
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
    record Result(String name, Histogram[] probes, long frames) {
    }

    private static volatile long sink;

    private WakeUp() {
    }

    static Result run(String name, double seconds, boolean spin) {
        long[] lines = new long[LINES * LONGS_PER_LINE];
        long acc = 0;
        for (int i = 0; i < 20_000; i++) { // compiled before anything is measured
            acc += compute(i) + touch(lines);
        }
        Histogram[] probes = new Histogram[PROBES.length];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = new Histogram(60_000_000_000L, 3);
        }
        long frames = Math.round(seconds * 60);
        long next = System.nanoTime();
        for (long f = -60; f < frames; f++) { // one second at the game's cadence first, not recorded
            long first = 0;
            long second = 0;
            long last = 0;
            for (int c = 0; c < COMPUTATIONS; c++) {
                long t = System.nanoTime();
                acc += compute((int) f + c);
                long spent = System.nanoTime() - t;
                if (c == 0) {
                    first = spent;
                } else if (c == 1) {
                    second = spent;
                }
                last = spent;
            }
            long t1 = System.nanoTime();
            acc += touch(lines);
            long t2 = System.nanoTime();
            acc += touch(lines);
            long t3 = System.nanoTime();
            if (f >= 0) {
                probes[0].recordValue(first);
                probes[1].recordValue(second);
                probes[2].recordValue(last);
                probes[3].recordValue(t2 - t1);
                probes[4].recordValue(t3 - t2);
            }
            next += FRAME_NANOS;
            if (spin) {
                while (next - System.nanoTime() > 0) {
                    Thread.onSpinWait();
                }
            } else {
                LockSupport.parkNanos(next - System.nanoTime());
            }
        }
        sink = acc;
        return new Result(name, probes, frames);
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

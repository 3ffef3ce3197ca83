package io.datacat.bench;

import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A 60 FPS game loop that makes {@link Workload}'s 100 calls per frame and measures, with
 * HdrHistogram: each call's latency (odd frames: a clock read around every call) and each
 * frame's total logging cost (even frames: one clock read around the 100 calls, so the
 * per-call clock reads do not inflate it), plus the bytes the game thread allocated per call.
 * The per-call latencies are also kept apart for the first call of a frame and for the calls
 * from the fourth on: the game thread sleeps between frames, so its first calls find cold
 * caches and TLB, and that, not the steady cost of a call, is what sets the tail.
 */
final class FrameLoop {
    private static final long FRAME_NANOS = 1_000_000_000L / 60;

    /** What one run measured. */
    record Result(String name, Histogram perCall, Histogram firstOfFrame, Histogram fourthOn, Histogram[] fourthOnByKind,
                  Histogram perFrame, double allocatedBytesPerCall, long calls, long frames, long dropped) {
    }

    /** Where the per-call latencies go; {@code byKind} holds the calls from the fourth on, by {@link Workload#kind}. */
    private record PerCall(Histogram all, Histogram firstOfFrame, Histogram fourthOn, Histogram[] byKind) {
        PerCall() {
            this(histogram(), histogram(), histogram(), new Histogram[Workload.KINDS.length]);
            for (int i = 0; i < byKind.length; i++) {
                byKind[i] = histogram();
            }
        }

        void record(int k, long nanos) {
            all.recordValue(nanos);
            if (k == 0) {
                firstOfFrame.recordValue(nanos);
            } else if (k >= 3) {
                fourthOn.recordValue(nanos);
                if (k < Workload.CALLS_PER_FRAME) { // the heartbeat is call 100
                    byKind[Workload.kind(k)].recordValue(nanos);
                }
            }
        }
    }

    private static Histogram histogram() {
        return new Histogram(60_000_000_000L, 3);
    }

    private FrameLoop() {
    }

    /**
     * @param spin the game thread spins to its next frame instead of sleeping: its core never
     *             idles, so the first calls of a frame find only what the other threads changed,
     *             not what an idle core lost
     */
    static Result run(String name, GameLogger log, double seconds, boolean spin) {
        return run(name, log, seconds, spin, null);
    }

    /**
     * @param beforeEachFrame given the frame's number after the wait for it and before its calls,
     *                        outside every measurement (or null): {@link FirstCalls} warms things there
     */
    static Result run(String name, GameLogger log, double seconds, boolean spin, IntConsumer beforeEachFrame) {
        Workload work = new Workload();
        PerCall perCall = new PerCall();
        Histogram perFrame = histogram();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long frames = Math.round(seconds * 60);
        // Warm-up, not recorded. First 1,200 short frames (1 ms apart): the JIT, and seven laps
        // of a 10,000 queue's 16,384 slots, as in a session that has run a while. Then two seconds at
        // 60 FPS, so the measured frames start at the game's own cadence. A slow logger (the
        // synchronous session) gets five seconds of short frames at most.
        long warmEnd = System.nanoTime() + 5_000_000_000L;
        for (int chunk = 0; chunk < 12 && System.nanoTime() < warmEnd; chunk++) {
            runFrames(log, work, 100, 1_000_000L, spin, beforeEachFrame, null, null);
        }
        runFrames(log, work, 120, FRAME_NANOS, spin, beforeEachFrame, null, null);
        long droppedBefore = log.dropped();
        long allocBefore = mx.getThreadAllocatedBytes(tid);
        runFrames(log, work, frames, FRAME_NANOS, spin, beforeEachFrame, perCall, perFrame);
        long allocated = mx.getThreadAllocatedBytes(tid) - allocBefore;
        long calls = frames * (Workload.CALLS_PER_FRAME + 1);
        return new Result(name, perCall.all(), perCall.firstOfFrame(), perCall.fourthOn(), perCall.byKind(), perFrame,
                (double) allocated / calls, calls, frames, log.dropped() - droppedBefore);
    }

    private static void runFrames(GameLogger log, Workload work, long frames, long frameNanos, boolean spin,
                                  IntConsumer beforeEachFrame, PerCall perCall, Histogram perFrame) {
        long next = System.nanoTime();
        for (int f = 0; f < frames; f++) {
            if (beforeEachFrame != null) {
                beforeEachFrame.accept(f);
            }
            if (perCall != null && (f & 1) == 1) {
                for (int k = 0; k < Workload.CALLS_PER_FRAME; k++) {
                    long t0 = System.nanoTime();
                    work.call(log, f, k);
                    perCall.record(k, System.nanoTime() - t0);
                }
                long t0 = System.nanoTime();
                log.heartbeat();
                perCall.record(Workload.CALLS_PER_FRAME, System.nanoTime() - t0);
            } else {
                long t0 = System.nanoTime();
                for (int k = 0; k < Workload.CALLS_PER_FRAME; k++) {
                    work.call(log, f, k);
                }
                log.heartbeat();
                long spent = System.nanoTime() - t0;
                if (perFrame != null) {
                    perFrame.recordValue(spent);
                }
            }
            next += frameNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0 && spin) {
                while (next - System.nanoTime() > 0) {
                    Thread.onSpinWait();
                }
            } else if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            } else {
                next = System.nanoTime();
            }
        }
    }
}

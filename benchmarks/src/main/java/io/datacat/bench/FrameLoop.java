package io.datacat.bench;

import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;

/**
 * A 60 FPS game loop that makes {@link Workload}'s 100 calls per frame and measures, with
 * HdrHistogram: each call's latency (odd frames: a clock read around every call) and each
 * frame's total logging cost (even frames: one clock read around the 100 calls, so the
 * per-call clock reads do not inflate it), plus the bytes the game thread allocated per call.
 */
final class FrameLoop {
    private static final long FRAME_NANOS = 1_000_000_000L / 60;

    /** What one run measured. */
    record Result(String name, Histogram perCall, Histogram perFrame, double allocatedBytesPerCall, long calls,
                  long frames, long dropped) {
    }

    private FrameLoop() {
    }

    static Result run(String name, GameLogger log, double seconds) {
        Workload work = new Workload();
        Histogram perCall = new Histogram(60_000_000_000L, 3);
        Histogram perFrame = new Histogram(60_000_000_000L, 3);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long frames = Math.round(seconds * 60);
        // Four seconds to warm up, not recorded: the JIT, and the ring's first lap (24,000 calls
        // cover the 16,384 slots of a 10,000 queue) where slots get their map buffers.
        runFrames(log, work, 240, null, null);
        long allocBefore = mx.getThreadAllocatedBytes(tid);
        runFrames(log, work, frames, perCall, perFrame);
        long allocated = mx.getThreadAllocatedBytes(tid) - allocBefore;
        long calls = frames * (Workload.CALLS_PER_FRAME + 1);
        return new Result(name, perCall, perFrame, (double) allocated / calls, calls, frames, log.dropped());
    }

    private static void runFrames(GameLogger log, Workload work, long frames, Histogram perCall, Histogram perFrame) {
        long next = System.nanoTime();
        for (int f = 0; f < frames; f++) {
            if (perCall != null && (f & 1) == 1) {
                for (int k = 0; k < Workload.CALLS_PER_FRAME; k++) {
                    long t0 = System.nanoTime();
                    work.call(log, f, k);
                    perCall.recordValue(System.nanoTime() - t0);
                }
                long t0 = System.nanoTime();
                log.heartbeat();
                perCall.recordValue(System.nanoTime() - t0);
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
            next += FRAME_NANOS;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            } else {
                next = System.nanoTime();
            }
        }
    }
}

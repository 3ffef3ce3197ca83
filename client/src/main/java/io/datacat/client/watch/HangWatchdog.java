package io.datacat.client.watch;

import io.datacat.client.encode.StackTraces;
import io.datacat.client.send.Pipeline;
import io.datacat.client.send.Pipelines;
import io.datacat.client.send.Report;

/**
 * One thread per process that compares each session's last {@code heartbeat()} with its
 * hang timeout. When the heartbeating thread has been silent too long it captures that
 * thread's stack and reports {@code hang}; when heartbeats resume, {@code recovered} with
 * the hang's duration. Sessions that never heartbeat, paused ones and ending ones are skipped.
 *
 * <p>When the watchdog itself could not run for a while (the whole process was frozen by
 * SIGSTOP, a debugger, a long GC pause or a suspended machine), nothing ran, the heartbeating
 * thread included: that freeze is not a hang of that thread (a frozen process is the
 * daemon's to report), so silence is counted from the end of the freeze at the earliest.
 */
public final class HangWatchdog implements Runnable {
    private static final long CHECK_NANOS = 50_000_000L;
    /**
     * Waking this much later than planned means the whole process stood still. Shorter
     * stalls (CPU starvation, ordinary GC pauses) still count as the heartbeat thread's silence.
     */
    private static final long FREEZE_NANOS = 1_000_000_000L;
    private static Thread thread;

    private HangWatchdog() {
    }

    public static synchronized void start() {
        if (thread == null || !thread.isAlive()) {
            thread = new Thread(new HangWatchdog(), "datacat-watchdog");
            thread.setDaemon(true);
            thread.start();
        }
    }

    @Override
    public void run() {
        long lastWake = System.nanoTime();
        long thawedAt = lastWake;
        for (;;) {
            try {
                Thread.sleep(CHECK_NANOS / 1_000_000L);
                long now = System.nanoTime();
                if (now - lastWake - CHECK_NANOS > FREEZE_NANOS) {
                    thawedAt = now;
                }
                lastWake = now;
                for (Pipeline p : Pipelines.live()) {
                    check(p, now, thawedAt);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A watchdog must outlive any single bad check.
            }
        }
    }

    /**
     * One look at one session.
     *
     * @param thawedAt when the process last came out of a freeze ({@code System.nanoTime()}):
     *                 the heartbeat thread's silence counts from then at the earliest
     */
    static void check(Pipeline p, long now, long thawedAt) {
        long beat = p.lastBeat();
        if (beat == 0 || !p.hangDetection() || p.closing()) {
            return;
        }
        if (p.hungState()) {
            if (beat != p.hangBeat()) {
                p.report(Report.recovered((beat - p.hangBeat()) / 1_000_000L));
                p.setHung(false, 0);
            }
            return;
        }
        if (p.hangPaused()) {
            return;
        }
        long silentSince = thawedAt - beat > 0 ? thawedAt : beat;
        long silentMs = (now - silentSince) / 1_000_000L;
        if (silentMs > p.hangTimeoutMs()) {
            Thread t = p.beatThread();
            String name = t == null ? null : t.getName();
            p.report(Report.hang(name, t == null ? null : StackTraces.lines(t.getStackTrace()), p.hangTimeoutMs(),
                    silentMs));
            p.setHung(true, beat);
        }
    }
}

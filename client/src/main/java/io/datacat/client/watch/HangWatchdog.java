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
 */
public final class HangWatchdog implements Runnable {
    private static final long CHECK_MS = 50;
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
        for (;;) {
            try {
                Thread.sleep(CHECK_MS);
                long now = System.nanoTime();
                for (Pipeline p : Pipelines.live()) {
                    check(p, now);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A watchdog must outlive any single bad check.
            }
        }
    }

    static void check(Pipeline p, long now) {
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
        long silentMs = (now - beat) / 1_000_000L;
        if (silentMs > p.hangTimeoutMs()) {
            Thread t = p.beatThread();
            String name = t == null ? null : t.getName();
            p.report(Report.hang(name, t == null ? null : StackTraces.lines(t.getStackTrace()), p.hangTimeoutMs(),
                    silentMs));
            p.setHung(true, beat);
        }
    }
}

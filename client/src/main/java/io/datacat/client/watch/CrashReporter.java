package io.datacat.client.watch;

import io.datacat.client.encode.StackTraces;
import io.datacat.client.send.Pipeline;
import io.datacat.client.send.Pipelines;
import io.datacat.client.send.Report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells the server how a program that never called {@code end()} ended.
 *
 * <ul>
 *   <li>A default uncaught-exception handler (chained to the one it replaces) logs every
 *       uncaught exception into the open sessions, level critical.</li>
 *   <li>A shutdown hook, when sessions are still open, reports a {@code crash}:
 *       {@code exit_without_end} when {@code System.exit} was called (with the caller), when a
 *       signal terminated the JVM, or when {@code main} returned; {@code uncaught_exception}
 *       when an uncaught exception ended a non-daemon thread (the program ended because of
 *       it). It waits at most 1.5 s for the daemon, so exit is never held up for long.</li>
 * </ul>
 * A {@code kill -9} or a JVM fatal error runs no Java code at all: the daemon, which watches
 * the app's process, reports those.
 */
public final class CrashReporter {
    public static final String UNCAUGHT_EXCEPTION = "uncaught_exception";
    public static final String EXIT_WITHOUT_END = "exit_without_end";
    private static final long HOOK_BUDGET_NANOS = 1_500_000_000L;

    private static boolean installed;
    /** The thread that runs {@code main}: while it lives, a worker's death does not end the program. */
    private static Thread mainThread;
    private static volatile Uncaught lastUncaught;

    private CrashReporter() {
    }

    private static final class Uncaught {
        final String thread;
        final Throwable error;
        /**
         * True when the thread's death can end the program: it is a non-daemon thread and
         * {@code main} had already returned (or it is the main thread itself).
         */
        final boolean couldEndTheProgram;

        Uncaught(Thread thread, Throwable error) {
            this.thread = thread.getName();
            this.error = error;
            Thread main = mainThread;
            this.couldEndTheProgram = !thread.isDaemon() && (main == null || main == thread || !main.isAlive());
        }
    }

    /** Installs the handler and the hook once per process. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        mainThread = findMainThread();
        Thread.setDefaultUncaughtExceptionHandler(new Handler(Thread.getDefaultUncaughtExceptionHandler()));
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
            @Override
            public void run() {
                onShutdown();
            }
        }, "datacat-shutdown"));
    }

    private static Thread findMainThread() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            ThreadGroup g = t.getThreadGroup();
            if ("main".equals(t.getName()) && g != null && "main".equals(g.getName())) {
                return t;
            }
        }
        return null;
    }

    private static final class Handler implements Thread.UncaughtExceptionHandler {
        private final Thread.UncaughtExceptionHandler previous;

        Handler(Thread.UncaughtExceptionHandler previous) {
            this.previous = previous;
        }

        @Override
        public void uncaughtException(Thread t, Throwable e) {
            try {
                lastUncaught = new Uncaught(t, e);
                for (Pipeline p : Pipelines.live()) {
                    if (!p.closing()) {
                        p.logUncaught(t, e);
                    }
                }
            } catch (Throwable ignored) {
                // Reporting must never change what happens to the program.
            }
            if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                // What the JVM prints without a handler (ThreadGroup would call us again).
                System.err.print("Exception in thread \"" + t.getName() + "\" ");
                e.printStackTrace(System.err);
            }
        }
    }

    private static void onShutdown() {
        long deadline = System.nanoTime() + HOOK_BUDGET_NANOS;
        List<Pipeline> live = new ArrayList<Pipeline>(Pipelines.live());
        Report crash = null;
        for (Pipeline p : live) {
            if (!p.closing()) {
                if (crash == null) {
                    crash = diagnose();
                }
                p.beginTermination(crash, deadline);
            }
        }
        // Sessions ended just before exit get the same chance to reach the daemon.
        for (Pipeline p : live) {
            p.awaitTermination(deadline);
        }
    }

    /** Works out why the JVM is going down from the threads' stacks and the last uncaught exception. */
    static Report diagnose() {
        Uncaught uncaught = lastUncaught;
        Map<String, Object> detail = new LinkedHashMap<String, Object>();
        Thread exitThread = null;
        StackTraceElement[] exitFrames = null;
        boolean signal = false;
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (callsShutdownExit(e.getValue())) {
                exitThread = e.getKey();
                exitFrames = e.getValue();
                signal = fromSignal(exitFrames);
                break;
            }
        }
        Report report;
        if (exitThread != null && signal) {
            detail.put("how", "signal");
            report = Report.crash(EXIT_WITHOUT_END, "terminated by a signal (SIGTERM, SIGINT or SIGHUP) before end()",
                    detail);
        } else if (exitThread != null) {
            StackTraceElement[] caller = exitCaller(exitFrames);
            detail.put("how", "System.exit");
            detail.put("thread", exitThread.getName());
            detail.put("stack", StackTraces.lines(caller));
            report = Report.crash(EXIT_WITHOUT_END, "System.exit called"
                    + (caller.length > 0 ? " at " + caller[0] : "") + " before end()", detail);
        } else if (uncaught != null && uncaught.couldEndTheProgram) {
            detail.put("thread", uncaught.thread);
            detail.put("exception_type", uncaught.error.getClass().getName());
            detail.put("exception_msg", String.valueOf(uncaught.error.getMessage()));
            detail.put("stacktrace", StackTraces.lines(uncaught.error));
            return Report.crash(UNCAUGHT_EXCEPTION, "uncaught " + uncaught.error.getClass().getName()
                    + (uncaught.error.getMessage() == null ? "" : ": " + uncaught.error.getMessage())
                    + " in thread \"" + uncaught.thread + "\"", detail);
        } else {
            detail.put("how", "main returned");
            report = Report.crash(EXIT_WITHOUT_END, "the program ended (main returned) without end()", detail);
        }
        if (uncaught != null) {
            detail.put("last_uncaught", uncaught.error.getClass().getName() + " in thread \"" + uncaught.thread + "\"");
        }
        return report;
    }

    private static boolean callsShutdownExit(StackTraceElement[] frames) {
        for (StackTraceElement f : frames) {
            if ("java.lang.Shutdown".equals(f.getClassName()) && "exit".equals(f.getMethodName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean fromSignal(StackTraceElement[] frames) {
        for (StackTraceElement f : frames) {
            String c = f.getClassName();
            if (c.startsWith("java.lang.Terminator") || c.endsWith(".Signal") || c.contains(".Signal$")) {
                return true;
            }
        }
        return false;
    }

    /** The frames below {@code System.exit}/{@code Runtime.exit}: the code that called it. */
    private static StackTraceElement[] exitCaller(StackTraceElement[] frames) {
        int last = -1;
        for (int i = 0; i < frames.length; i++) {
            String c = frames[i].getClassName();
            if (("java.lang.System".equals(c) || "java.lang.Runtime".equals(c)) && "exit".equals(frames[i].getMethodName())) {
                last = i;
            }
        }
        return last < 0 ? frames : Arrays.copyOfRange(frames, last + 1, frames.length);
    }
}

package io.datacat.protocol;

/**
 * Why a session is {@code crashed}; the {@code reason} of a {@code crash} record.
 * docs/reliability.md explains who reports each one and what detail comes with it.
 */
public final class CrashReason {
    /** An exception nobody caught ended the program; detail has the exception and its chain. */
    public static final String UNCAUGHT_EXCEPTION = "uncaught_exception";
    /** The program exited (System.exit, or main returned) without ending the session. */
    public static final String EXIT_WITHOUT_END = "exit_without_end";
    /** The process vanished without running any shutdown code: kill -9, the OOM killer. */
    public static final String KILLED = "killed";
    /** The JVM died of a fatal error; detail has the head of its hs_err_pid log. */
    public static final String FATAL_ERROR = "fatal_error";
    /** A compatible client's process exited without ending its session (cause unknown). */
    public static final String PROCESS_EXITED = "process_exited";
    /** Reported by a compatible client through {@code POST /api/sessions/{id}/crash}. */
    public static final String ABNORMAL_TERMINATION = "abnormal_termination";

    private CrashReason() {
    }
}

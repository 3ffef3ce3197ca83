package io.datacat.daemon;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;

/**
 * The daemon's log: one timestamped line per message on stderr. The daemon is a small
 * per-app process, so it carries no logging framework.
 */
public final class Log {
    private Log() {
    }

    public static void info(String message) {
        write("INFO ", message);
    }

    public static void warn(String message) {
        write("WARN ", message);
    }

    public static void error(String message, Throwable cause) {
        if (cause == null) {
            write("ERROR", message);
            return;
        }
        StringWriter trace = new StringWriter();
        cause.printStackTrace(new PrintWriter(trace));
        write("ERROR", message + System.lineSeparator() + trace.toString().stripTrailing());
    }

    private static void write(String level, String message) {
        // One println per line keeps lines from concurrent threads whole.
        System.err.println(Instant.now() + " datacat-daemon " + level + " " + message);
    }
}

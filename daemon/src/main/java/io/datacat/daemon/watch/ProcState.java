package io.datacat.daemon.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process's scheduling state from {@code /proc/<pid>/stat} (Linux), e.g. {@code T} for a
 * process stopped by SIGSTOP: what the daemon can tell about a silent app from outside.
 */
public record ProcState(char code, String meaning) {

    public static Optional<ProcState> of(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses a stat line; the command name may hold spaces and parentheses, so the state follows the last ')'. */
    static Optional<ProcState> parse(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return Optional.empty();
        }
        char code = stat.charAt(close + 2);
        return Optional.of(new ProcState(code, meaning(code)));
    }

    private static String meaning(char code) {
        return switch (code) {
            case 'R' -> "running";
            case 'S' -> "sleeping";
            case 'D' -> "waiting for I/O (uninterruptible)";
            case 'Z' -> "zombie";
            case 'T' -> "stopped (SIGSTOP or job control)";
            case 't' -> "stopped by a debugger";
            case 'X' -> "dead";
            case 'I' -> "idle";
            default -> "state " + code;
        };
    }

    @Override
    public String toString() {
        return code + ": " + meaning;
    }
}

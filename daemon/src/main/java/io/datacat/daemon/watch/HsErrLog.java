package io.datacat.daemon.watch;

import io.datacat.daemon.session.SessionSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The fatal-error log a dying JVM writes, {@code hs_err_pid<pid>.log}: looked for in the app's
 * working directory, in {@code attrs.hs_err_path} (a directory, or a file pattern where
 * {@code %p} is the pid, as in {@code -XX:ErrorFile}), and in the temp directory.
 */
public record HsErrLog(Path file, String head, String summary) {
    static final int HEAD_LINES = 60;
    static final int HEAD_BYTES = 16 * 1024;
    /** A log older than the session (by more than clock slack) belongs to an earlier process with the same pid. */
    private static final long STALE_SLACK_MILLIS = 60_000;

    public static Optional<HsErrLog> find(long pid, SessionSnapshot session) {
        String name = "hs_err_pid" + pid + ".log";
        List<Path> candidates = new ArrayList<>();
        // The app sent these paths: one that is no path on this system (a NUL in it) is skipped.
        try {
            if (session.cwd() != null) {
                candidates.add(Path.of(session.cwd(), name));
            }
        } catch (InvalidPathException e) {
            // not a place to look
        }
        try {
            if (session.hsErrPath() != null) {
                Path p = Path.of(session.hsErrPath().replace("%p", Long.toString(pid)));
                candidates.add(Files.isDirectory(p) ? p.resolve(name) : p);
            }
        } catch (InvalidPathException e) {
            // not a place to look
        }
        candidates.add(Path.of(System.getProperty("java.io.tmpdir"), name));
        long notBefore = session.createdAtMicros() / 1000 - STALE_SLACK_MILLIS;
        for (Path p : candidates) {
            try {
                if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toMillis() >= notBefore) {
                    return Optional.of(read(p));
                }
            } catch (IOException e) {
                // Unreadable: try the next place.
            }
        }
        return Optional.empty();
    }

    static HsErrLog read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(HEAD_BYTES);
        }
        List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().limit(HEAD_LINES).toList();
        return new HsErrLog(file.toAbsolutePath(), String.join("\n", lines), summary(lines));
    }

    /** The first informative comment line, e.g. {@code SIGSEGV (0xb) at pc=0x…, pid=123, tid=456}. */
    private static String summary(List<String> lines) {
        for (String line : lines) {
            String text = line.startsWith("#") ? line.substring(1).strip() : "";
            if (!text.isEmpty() && !text.startsWith("A fatal error has been detected")) {
                return text;
            }
        }
        return "no summary in the log";
    }
}

package io.datacat.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The output a failed fault test needs shown: the tail of every process log under a test's folder. */
public final class Logs {
    private static final int TAIL_LINES = 40;

    private Logs() {
    }

    /** The last lines of every {@code *.out} (apps, servers, daemons run by tests) and {@code *.log} (daemons run by apps). */
    public static String of(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "(no logs: " + dir + " does not exist)";
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".out") || p.toString().endsWith(".log"))
                    .sorted()
                    .map(Logs::tail)
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(logs under " + dir + " unreadable: " + e + ")";
        }
    }

    /** The whole text of every file named {@code fileName} under {@code dir} (the daemon logs of an app: daemon.log). */
    public static String all(Path dir, String fileName) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> matching = files.filter(p -> p.getFileName().toString().equals(fileName)).sorted().toList();
            StringBuilder text = new StringBuilder();
            for (Path p : matching) {
                text.append(Files.readString(p, StandardCharsets.UTF_8));
            }
            return text.toString();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
            return "---- " + file + (lines.size() > TAIL_LINES ? " (last " + TAIL_LINES + " lines)" : "") + "\n"
                    + String.join("\n", tail);
        } catch (IOException e) {
            return "---- " + file + ": unreadable (" + e + ")";
        }
    }
}

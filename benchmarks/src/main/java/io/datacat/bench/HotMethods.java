package io.datacat.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where each JMH benchmark's samples fall, from the JFR recordings its forks wrote (one per
 * fork, {@code DATACAT_BENCH_PROFILE}): per benchmark, the methods the sampled thread was in
 * ("self", inlined frames counted as their own method, as {@code -XX:+DebugNonSafepoints}
 * records them) and the client's methods anywhere on the stack ("total"). Only the benchmark's
 * own thread counts, not the session's sender.
 */
final class HotMethods {
    private static final String WORKER = "-jmh-worker-";
    private static final int ROWS = 12;

    private HotMethods() {
    }

    /** The JVM options that make a JMH fork record its samples into {@code dir}. */
    static List<String> recordInto(Path dir) {
        // 1 ms instead of the profile's 10 ms: a benchmark runs for seconds, not minutes.
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
                "-XX:StartFlightRecording=settings=profile,jdk.ExecutionSample#period=1ms,filename=" + dir + "/");
    }

    /**
     * The Markdown tables of the recordings in {@code dir} written since {@code since} (an
     * earlier run's stay out), benchmark by benchmark.
     */
    static String summarize(Path dir, Instant since) throws IOException {
        Map<String, Counts> byBenchmark = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jfr") && modifiedSince(p, since)).sorted().toList();
        }
        for (Path file : files) {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedThread thread = e.getThread("sampledThread");
                String name = thread == null ? null : thread.getJavaName();
                int worker = name == null ? -1 : name.indexOf(WORKER);
                RecordedStackTrace stack = e.getStackTrace();
                if (worker < 0 || stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                String benchmark = name.substring(name.lastIndexOf('.', worker) + 1, worker);
                byBenchmark.computeIfAbsent(benchmark, b -> new Counts()).add(stack.getFrames());
            }
        }
        StringBuilder sb = new StringBuilder();
        byBenchmark.forEach((benchmark, counts) -> counts.appendTo(sb, benchmark));
        return sb.toString();
    }

    private static boolean modifiedSince(Path file, Instant since) {
        try {
            return !Files.getLastModifiedTime(file).toInstant().isBefore(since);
        } catch (IOException e) {
            return false;
        }
    }

    private static String methodName(RecordedFrame frame) {
        RecordedMethod m = frame.getMethod();
        String type = m.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
    }

    private static final class Counts {
        private int samples;
        private final Map<String, Integer> self = new HashMap<>();
        private final Map<String, Integer> total = new HashMap<>();

        void add(List<RecordedFrame> frames) {
            samples++;
            self.merge(methodName(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.datacat.client.")) {
                    String m = methodName(f);
                    if (seen.add(m)) {
                        total.merge(m, 1, Integer::sum);
                    }
                }
            }
        }

        void appendTo(StringBuilder sb, String benchmark) {
            sb.append(String.format(Locale.ROOT, "%n#### %s (%,d samples)%n%n", benchmark, samples));
            sb.append("| self | share | client method, total | share |\n|---|---|---|---|\n");
            List<Map.Entry<String, Integer>> s = top(self);
            List<Map.Entry<String, Integer>> t = top(total);
            for (int i = 0; i < Math.max(s.size(), t.size()); i++) {
                sb.append(row(i < s.size() ? s.get(i) : null)).append(row(i < t.size() ? t.get(i) : null))
                        .append("|\n");
            }
        }

        private String row(Map.Entry<String, Integer> e) {
            return e == null ? "| | " : String.format(Locale.ROOT, "| `%s` | %.1f %% ", e.getKey(),
                    100.0 * e.getValue() / samples);
        }

        private static List<Map.Entry<String, Integer>> top(Map<String, Integer> counts) {
            List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
            entries.sort(Map.Entry.<String, Integer>comparingByValue().reversed()
                    .thenComparing(Map.Entry.comparingByKey()));
            return entries.subList(0, Math.min(ROWS, entries.size()));
        }
    }
}

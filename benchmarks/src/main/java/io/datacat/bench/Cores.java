package io.datacat.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs a frame loop with the game thread on a core of its own and everything else (this JVM's
 * other threads: DataCat's sender, the JIT, the collector; the server; the daemons) on the
 * other cores, with {@code taskset}: the layout of a game on a machine with cores to spare,
 * where its main thread does not share a core with the telemetry's other parts. Set on
 * Linux only, when this process may use two cores or more; elsewhere {@link #available()}
 * is false and the pinned loops are left out.
 */
final class Cores {
    private Cores() {
    }

    /** The CPUs this process may run on (from {@code /proc/self/status}), empty where unknown. */
    static List<Integer> allowed() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parseList(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return List.of();
    }

    /** True when the game thread can have a core and the rest at least one other. */
    static boolean available() {
        if (allowed().size() < 2) {
            return false;
        }
        try {
            return new ProcessBuilder("taskset", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Runs {@code loop} on the calling thread pinned to the last allowed CPU, with this process's
     * other threads and every process it started (now or during the loop: a child inherits its
     * parent thread's CPUs) on the other CPUs; restores the full set afterwards.
     */
    static <T> T isolated(Callable<T> loop) throws Exception {
        List<Integer> cpus = allowed();
        String game = String.valueOf(cpus.get(cpus.size() - 1));
        String others = cpus.subList(0, cpus.size() - 1).stream().map(String::valueOf)
                .collect(Collectors.joining(","));
        String all = cpus.stream().map(String::valueOf).collect(Collectors.joining(","));
        try {
            pinProcesses(others);
            taskset("-p", "-c", game, String.valueOf(threadId()));
            return loop.call();
        } finally {
            pinProcesses(all);
        }
    }

    private static void pinProcesses(String cpus) throws IOException, InterruptedException {
        List<Long> pids = Stream.concat(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants())
                .filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toList());
        for (long pid : pids) {
            taskset("-a", "-p", "-c", cpus, String.valueOf(pid));
        }
    }

    /** The kernel's id of the calling thread: the first field of its {@code stat}. */
    private static long threadId() throws IOException {
        String stat = Files.readString(Paths.get("/proc/thread-self/stat"), StandardCharsets.UTF_8);
        return Long.parseLong(stat.substring(0, stat.indexOf(' ')));
    }

    private static void taskset(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("taskset");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // A thread or process that ended meanwhile is no error; anything else is.
        if (p.waitFor() != 0 && !out.contains("No such process")) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
        }
    }

    static List<Integer> parseList(String list) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            if (dash < 0) {
                cpus.add(Integer.parseInt(p));
            } else {
                for (int c = Integer.parseInt(p.substring(0, dash)); c <= Integer.parseInt(p.substring(dash + 1)); c++) {
                    cpus.add(c);
                }
            }
        }
        return cpus;
    }
}

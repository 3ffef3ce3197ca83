package io.datacat.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/**
 * A real JVM process started by a test, its output captured to a file the test can read
 * (and that stays behind for diagnosis). {@link #kill9()} sends SIGKILL.
 */
public final class JavaProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private JavaProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Runs {@code mainClass} with this test JVM's classpath. */
    public static JavaProcess start(Path workDir, String name, List<String> jvmArgs, String mainClass,
                                    List<String> args, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Repo.java());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return start(workDir, name, cmd, env);
    }

    public static JavaProcess start(Path workDir, String name, List<String> command, Map<String, String> env)
            throws IOException {
        Files.createDirectories(workDir);
        Path out = workDir.resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.directory(workDir.toFile());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        return new JavaProcess(pb.start(), out);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The live child process this one started (an app's daemon), waiting for it at most {@code timeout}. */
    public ProcessHandle awaitChild(Duration timeout) {
        AtomicReference<Optional<ProcessHandle>> found = new AtomicReference<>(Optional.empty());
        await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .failFast("the process exited before starting a child; its output is in " + output,
                        () -> !process.isAlive())
                .until(() -> {
                    found.set(process.children().filter(ProcessHandle::isAlive).findFirst());
                    return found.get().isPresent();
                });
        return found.get().orElseThrow();
    }

    /** Writes one line to the process's standard input: how a test tells an app to go on. */
    public void sendLine(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    public String output() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }

    /** The first output line starting with {@code prefix}, waiting for it at most {@code timeout}. */
    public String awaitLine(String prefix, Duration timeout) {
        String[] found = new String[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .failFast("the process exited before printing '" + prefix + "'; its output is in " + output,
                        () -> !process.isAlive() && lineStarting(prefix) == null).until(() -> {
                    found[0] = lineStarting(prefix);
                    return found[0] != null;
                });
        return found[0];
    }

    private String lineStarting(String prefix) {
        for (String line : output().split("\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return null;
    }

    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, nothing. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Sends a signal by name (STOP, CONT, TERM) with the system's kill. */
    public void signal(String name) throws IOException, InterruptedException {
        signal(pid(), name);
    }

    /** Sends a signal by name to any process, such as the daemon an app started. */
    public static void signal(long pid, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + pid + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

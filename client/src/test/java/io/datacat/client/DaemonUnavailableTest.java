package io.datacat.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A daemon that cannot start, never becomes ready or never answers costs the game's thread
 * nothing: stats() and logging calls do not wait for it and shutdown keeps its timeout.
 * Real processes and sockets throughout, as the faults they stand for.
 */
class DaemonUnavailableTest {

    /** A "daemon" that writes its pid and then never becomes ready. */
    private static String[] neverReadyDaemon(Path pidFile) {
        return new String[] {"sh", "-c", "echo $$ > '" + pidFile + "'; exec sleep 1000"};
    }

    private static long pidIn(Path pidFile) throws IOException {
        return Long.parseLong(new String(Files.readAllBytes(pidFile), StandardCharsets.US_ASCII).trim());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The worst of a few frames of a game loop: log, read the stats. */
    private static long worstStatsNanos(Session s) {
        long worst = 0;
        for (int frame = 0; frame < 20; frame++) {
            s.logEvent("tick");
            long start = System.nanoTime();
            s.stats();
            worst = Math.max(worst, System.nanoTime() - start);
        }
        return worst;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000L;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void statsAndShutdownDoNotWaitForADaemonThatNeverBecomesReadyAndItIsNotLeftRunning(@TempDir Path dir)
            throws Exception {
        Path pidFile = dir.resolve("daemon.pid");
        SessionOptions options = SessionOptions.builder("Unavailable", "1.0").daemonCommand(neverReadyDaemon(pidFile))
                .asyncMode(true).crashReporting(false).build();
        // Two sessions of one process share the daemon (and the sender waiting for it to start).
        Session first = Datacat.createSession(options);
        Session second = Datacat.createSession(options);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(pidFile) > 0);
        long pid = pidIn(pidFile);
        try {
            assertThat(worstStatsNanos(first) / 1_000_000L).as("stats() while the daemon starts, ms").isLessThan(50);
            assertThat(worstStatsNanos(second) / 1_000_000L).as("stats() of the other session, ms").isLessThan(50);

            long start = System.nanoTime();
            assertThat(first.shutdown(Duration.ofSeconds(1))).isFalse();
            assertThat(millisSince(start)).as("shutdown(1 s) took, ms").isLessThan(1_500);
            assertThat(alive(pid)).as("still starting for the other session").isTrue();

            start = System.nanoTime();
            assertThat(second.shutdown(Duration.ofMillis(300))).isFalse();
            assertThat(millisSince(start)).as("shutdown(300 ms) took, ms").isLessThan(800);
            // Nobody waits for that daemon any more: it must not outlive the app.
            await().atMost(Duration.ofSeconds(5)).until(() -> !alive(pid));
            assertThat(second.stats().dropped()).isEqualTo(20);
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shutdownKeepsItsTimeoutWhileTheFixedPortAcceptsButNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    for (;;) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Session s = Datacat.createSession(SessionOptions.builder("Unavailable", "1.0")
                    .daemonPort(silent.getLocalPort()).daemonCommand("/nonexistent/silent-port-daemon")
                    .asyncMode(true).crashReporting(false).build());
            // The sender now waits for the health check's answer.
            await().atMost(Duration.ofSeconds(5)).until(() -> !held.isEmpty());
            assertThat(worstStatsNanos(s) / 1_000_000L).as("stats() during the health check, ms").isLessThan(50);
            long start = System.nanoTime();
            assertThat(s.shutdown(Duration.ofMillis(500))).isFalse();
            assertThat(millisSince(start)).as("shutdown(500 ms) took, ms").isLessThan(750);
            assertThat(s.stats().dropped()).isEqualTo(20);
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSynchronousSessionDoesNotWaitForAcksWhileNoDaemonCanStart() {
        Session s = Datacat.createSession(SessionOptions.builder("Unavailable", "1.0")
                .daemonCommand("/nonexistent/sync-daemon").crashReporting(false).build());
        int calls = 2_000; // more than the synchronous session's queue holds
        long worst = 0;
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            s.logEvent("queued");
            worst = Math.max(worst, System.nanoTime() - start);
        }
        assertThat(worst / 1_000_000L).as("worst call, ms (the sync timeout is 5 s)").isLessThan(500);
        assertThat(s.stats().lastError()).contains("/nonexistent/sync-daemon");
        assertThat(s.shutdown(Duration.ofMillis(200))).isFalse();
        assertThat(s.stats().dropped()).isEqualTo(calls);
        assertThat(s.stats().sent()).isZero();
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSynchronousSessionWaitsOnceForADaemonThatIsStartingAndNeverReady(@TempDir Path dir) {
        Session s = Datacat.createSession(SessionOptions.builder("Unavailable", "1.0")
                .daemonCommand(neverReadyDaemon(dir.resolve("pid"))).syncTimeoutMs(1_000).crashReporting(false)
                .build());
        int slowCalls = 0;
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            s.logEvent("queued");
            if (System.nanoTime() - start > 500_000_000L) {
                slowCalls++;
            }
        }
        // The first call waits out its timeout; the others queue at once until the daemon answers.
        assertThat(slowCalls).isEqualTo(1);
        s.shutdown(Duration.ofMillis(200));
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDaemonThatNeverRanIsNotCountedAsRestarted(@TempDir Path dir) throws Exception {
        int nothingThere;
        try (ServerSocket ss = new ServerSocket(0)) {
            nothingThere = ss.getLocalPort();
        }
        Path starts = dir.resolve("starts");
        Session s = Datacat.createSession(SessionOptions.builder("Unavailable", "1.0").daemonPort(nothingThere)
                .daemonCommand("sh", "-c", "echo started >> '" + starts + "'; exit 3")
                .asyncMode(true).crashReporting(false).build());
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(starts)
                    && Files.readAllLines(starts).size() >= 2);
            assertThat(s.stats().lastError()).contains("exited at start (code 3)");
            assertThat(s.stats().daemonRestarts()).as("no daemon ever answered, so none died").isZero();
        } finally {
            s.shutdown(Duration.ofMillis(100));
        }
    }

    /** The warning is per process, so it is read from a JVM of its own. */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDaemonThatCannotStartIsReportedOnceOnStderr(@TempDir Path dir) throws Exception {
        String classpath = location(Session.class) + File.pathSeparator + location(UnavailableDaemonApp.class);
        Process app = new ProcessBuilder(
                new File(System.getProperty("java.home"), "bin/java").getPath(), "-cp", classpath,
                UnavailableDaemonApp.class.getName())
                .redirectError(dir.resolve("stderr").toFile()).redirectOutput(dir.resolve("stdout").toFile()).start();
        assertThat(app.waitFor(45, TimeUnit.SECONDS)).isTrue();
        assertThat(app.exitValue()).as(Files.readString(dir.resolve("stdout"))).isZero();

        List<String> warnings = Files.readAllLines(dir.resolve("stderr")).stream()
                .filter(line -> line.startsWith("DataCat:")).collect(Collectors.toList());
        assertThat(warnings).hasSize(1);
        // Whichever session's sender failed first.
        assertThat(warnings.get(0)).containsAnyOf("/nonexistent/first-daemon", "/nonexistent/second-daemon")
                .contains("DATACAT_DAEMON").contains("daemonCommand");
    }

    private static String location(Class<?> c) throws Exception {
        return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }
}

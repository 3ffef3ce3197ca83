package io.datacat.it;

import io.datacat.it.apps.ShutdownApp;
import io.datacat.it.support.JavaProcess;
import io.datacat.it.support.ServerProcess;
import io.datacat.it.support.SpoolRoot;
import io.datacat.it.support.TestApps;
import io.datacat.it.support.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code shutdown(2 s)} keeps its word when neither the daemon nor the server can take
 * anything: it returns within 2.2 s (measured by the app around the call), says it could not
 * deliver, and counts what it could not deliver as dropped.
 */
class ShutdownIT {
    private static final long BOUND_MS = 2_200;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private SpoolRoot spool;
    private String deadServerUrl;
    private final List<JavaProcess> apps = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        spool = new SpoolRoot(dir.resolve("spool"));
        deadServerUrl = "http://127.0.0.1:" + ServerProcess.freePort();
    }

    @AfterEach
    void stopApps() throws Exception {
        for (JavaProcess app : apps) {
            app.close();
        }
        spool.killDaemons();
    }

    @Test
    void shutdownReturnsInTimeWhenTheDaemonIsFrozenAndTheServerIsDown() throws Exception {
        JavaProcess app = TestApps.start(dir, "app", ShutdownApp.class, List.of(), deadServerUrl, spool,
                "ShutdownFrozen", "frozen-daemon");
        apps.add(app);
        app.awaitLine("READY", Duration.ofSeconds(30));
        ProcessHandle daemon = app.awaitChild(Duration.ofSeconds(5));
        JavaProcess.signal(daemon.pid(), "STOP");

        app.sendLine("go");
        long millis = awaitShutdownMillis(app);
        TestApps.Stats stats = TestApps.stats(app);
        assertThat(stats.sent()).as("acked before the freeze").isEqualTo(ShutdownApp.EVENTS_BEFORE);
        assertThat(stats.dropped()).as("not delivered in time").isEqualTo(ShutdownApp.EVENTS_AFTER);
        assertThat(stats.queued()).isZero();
        System.out.printf("[ShutdownIT] shutdown(2 s) with a frozen daemon returned in %d ms%n", millis);
    }

    /**
     * The app ended its session, but its end did not reach the frozen daemon before the
     * timeout: once the app is gone and the daemon runs again, the session is ended, not
     * reported as a crash.
     */
    @Test
    void aSessionWhoseEndATimedOutShutdownCouldNotDeliverIsEndedNotCrashed() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("server"))) {
            JavaProcess app = TestApps.start(dir, "app", ShutdownApp.class, List.of(), server.url(), spool,
                    "ShutdownEnded", "frozen-daemon-busy");
            apps.add(app);
            String id = TestApps.sessionId(app);
            app.awaitLine("READY", Duration.ofSeconds(30));
            ProcessHandle daemon = app.awaitChild(Duration.ofSeconds(5));
            JavaProcess.signal(daemon.pid(), "STOP");
            app.sendLine("go");
            assertThat(app.awaitLine("SHUTDOWN ", Duration.ofSeconds(30))).endsWith(" false");
            assertThat(app.waitFor(Duration.ofSeconds(30))).as("the app exits normally").isZero();

            JavaProcess.signal(daemon.pid(), "CONT");
            Wait.until(Duration.ofSeconds(20), "session " + id + " ended", dir,
                    () -> "ended".equals(server.api().status(id)));
        }
    }

    @Test
    void shutdownReturnsInTimeWhenNoDaemonCanStart() throws Exception {
        String missingDaemonJar = dir.resolve("no-such-daemon.jar").toString();
        JavaProcess app = TestApps.start(dir, "app", ShutdownApp.class, List.of(), deadServerUrl, missingDaemonJar,
                spool, "ShutdownNoDaemon", "no-daemon");
        apps.add(app);

        long millis = awaitShutdownMillis(app);
        TestApps.Stats stats = TestApps.stats(app);
        assertThat(stats.sent()).isZero();
        assertThat(stats.dropped()).isEqualTo(ShutdownApp.EVENTS_AFTER);
        assertThat(stats.queued()).isZero();
        System.out.printf("[ShutdownIT] shutdown(2 s) without a daemon returned in %d ms%n", millis);
    }

    /** The app's own measure of its {@code shutdown(2 s)} call, which must say it could not deliver. */
    private static long awaitShutdownMillis(JavaProcess app) throws Exception {
        assertThat(app.waitFor(Duration.ofSeconds(20))).as(app.output()).isZero();
        String[] line = app.awaitLine("SHUTDOWN ", Duration.ofSeconds(1)).split(" ");
        long millis = Long.parseLong(line[1]);
        assertThat(millis).as("shutdown(2 s) took").isGreaterThanOrEqualTo(ShutdownApp.TIMEOUT.toMillis() - 50)
                .isLessThanOrEqualTo(BOUND_MS);
        assertThat(line[2]).as("delivered").isEqualTo("false");
        return millis;
    }
}

package io.datacat.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.it.apps.HangApp;
import io.datacat.it.support.Api;
import io.datacat.it.support.JavaProcess;
import io.datacat.it.support.ServerProcess;
import io.datacat.it.support.SpoolRoot;
import io.datacat.it.support.TestApps;
import io.datacat.it.support.Wait;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
 * Hangs, as the server tells them: a main loop blocked past its hang timeout is reported once
 * by the client's watchdog with the blocked thread's stack, then recovered; a block while hang
 * detection is paused is not reported; a whole JVM frozen with SIGSTOP is reported by the
 * daemon. Real app ({@link HangApp}), daemon and server processes.
 */
class HangIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path serverDir;
    private static ServerProcess server;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private SpoolRoot spool;
    private final List<JavaProcess> apps = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(serverDir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void setUp() {
        spool = new SpoolRoot(dir.resolve("spool"));
    }

    @AfterEach
    void stopApps() throws Exception {
        for (JavaProcess app : apps) {
            app.close();
        }
        spool.killDaemons();
    }

    private JavaProcess start(String product, String mode) throws Exception {
        JavaProcess app = TestApps.start(dir, "app", HangApp.class, List.of(), server.url(), spool, product, mode);
        apps.add(app);
        return app;
    }

    @Test
    void aBlockedMainLoopIsHungOnceWithTheBlockedStackThenRecoveredAndAPausedBlockIsNot() throws Exception {
        JavaProcess app = start("HangBlock", "block");
        String id = TestApps.sessionId(app);
        assertThat(app.waitFor(Duration.ofSeconds(30))).as(app.output()).isZero();
        Api api = server.api();
        Wait.until(Duration.ofSeconds(10), "session " + id + " ended", dir, () -> "ended".equals(api.status(id)));
        awaitDaemonsGone();

        List<JsonNode> hangs = api.records(id, "hang");
        assertThat(hangs).as("hang reports").hasSize(1);
        JsonNode hang = hangs.get(0);
        assertThat(hang.get("src").asText()).isEqualTo("app");
        assertThat(hang.get("detected_by").asText()).isEqualTo("client");
        assertThat(hang.get("thread").asText()).isEqualTo("main");
        assertThat(hang.get("timeout_ms").asLong()).isEqualTo(HangApp.BLOCK_HANG_TIMEOUT_MS);
        assertThat(hang.get("silent_ms").asLong()).isGreaterThan(HangApp.BLOCK_HANG_TIMEOUT_MS);
        assertThat(hang.get("stack").toString()).as("the stack of the blocked thread")
                .contains(HangApp.class.getName() + ".loadHugeLevel(");

        long blocking = eventTime(api, id, "blocking");
        long pausedBlocking = eventTime(api, id, "paused_blocking");
        assertThat(hang.get("ts").asLong()).as("reported during the first block, not the paused one")
                .isBetween(blocking, pausedBlocking);

        List<JsonNode> recoveries = api.records(id, "recovered");
        assertThat(recoveries).as("recovered reports").hasSize(1);
        assertThat(recoveries.get(0).get("ts").asLong()).isBetween(hang.get("ts").asLong(), pausedBlocking);
        assertThat(recoveries.get(0).get("duration_ms").asLong()).as("the hang lasted about the block")
                .isBetween(HangApp.BLOCK_MS, HangApp.BLOCK_MS + 1_000);

        JsonNode session = api.sessionOrNull(id);
        assertThat(session.get("hang_count").asInt()).isEqualTo(1);
        assertThat(session.get("hung").asBoolean()).isFalse();
    }

    @Test
    void aSigstoppedAppIsHungByTheDaemonThenRecovered() throws Exception {
        JavaProcess app = start("HangStop", "frames");
        String id = TestApps.sessionId(app);
        app.awaitLine("READY", Duration.ofSeconds(30));
        Api api = server.api();
        Wait.until(Duration.ofSeconds(10), "session " + id + " on the server", dir, () -> api.status(id) != null);

        app.signal("STOP");
        Duration toHung = Wait.until(Duration.ofSeconds(10), "session " + id + " hung while stopped", dir,
                () -> api.sessionOrNull(id).get("hung").asBoolean());
        app.signal("CONT");
        Duration toRecovered = Wait.until(Duration.ofSeconds(5), "session " + id + " recovered once continued",
                dir, () -> !api.sessionOrNull(id).get("hung").asBoolean());
        System.out.printf("[HangIT] SIGSTOP -> hung on the server in %d ms; SIGCONT -> recovered in %d ms%n",
                toHung.toMillis(), toRecovered.toMillis());

        app.sendLine("end");
        assertThat(app.waitFor(Duration.ofSeconds(20))).as(app.output()).isZero();
        Wait.until(Duration.ofSeconds(10), "session " + id + " ended", dir, () -> "ended".equals(api.status(id)));
        awaitDaemonsGone();

        List<JsonNode> hangs = api.records(id, "hang");
        assertThat(hangs).as("hang reports: the daemon's, and none from the client for the same freeze").hasSize(1);
        JsonNode hang = hangs.get(0);
        assertThat(hang.get("src").asText()).isEqualTo("daemon");
        assertThat(hang.get("detected_by").asText()).isEqualTo("daemon");
        assertThat(hang.get("thread").asText()).contains("process " + app.pid()).contains("T: stopped");
        assertThat(hang.at("/detail/process_state").asText()).isEqualTo("T");
        List<JsonNode> recoveries = api.records(id, "recovered");
        assertThat(recoveries).hasSize(1);
        assertThat(recoveries.get(0).get("src").asText()).isEqualTo("daemon");
        assertThat(recoveries.get(0).get("duration_ms").asLong()).isGreaterThanOrEqualTo(hang.get("timeout_ms")
                .asLong());
        assertThat(api.sessionOrNull(id).get("hang_count").asInt()).isEqualTo(1);
    }

    private static long eventTime(Api api, String id, String name) throws Exception {
        return api.records(id, "event").stream().filter(e -> e.get("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no event " + name)).get("ts").asLong();
    }

    /** The daemon delivered everything and exited: no report can still be on its way. */
    private void awaitDaemonsGone() {
        Wait.until(Duration.ofSeconds(10), "the daemon delivered everything and left", dir,
                () -> spool.daemonDirs().isEmpty());
    }
}

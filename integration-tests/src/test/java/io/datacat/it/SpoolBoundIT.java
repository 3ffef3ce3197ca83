package io.datacat.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.it.apps.CrashApp;
import io.datacat.it.apps.StreamApp;
import io.datacat.it.support.Api;
import io.datacat.it.support.DaemonProcess;
import io.datacat.it.support.JavaProcess;
import io.datacat.it.support.ServerProcess;
import io.datacat.it.support.SpoolRoot;
import io.datacat.it.support.TestApps;
import io.datacat.it.support.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A daemon with the smallest spool byte cap ({@value #SPOOL_MAX_BYTES} bytes) takes four apps'
 * sessions while the server is down, so it must evict. Once the server is back, each session
 * must show exactly how many of its records were evicted ({@code delivered + spool_evicted =
 * sent}), and no session may lose its start, its end or its crash, including sessions whose
 * records sat in the middle of the evicted spool.
 */
class SpoolBoundIT {
    private static final long SPOOL_MAX_BYTES = 65_536;
    private static final int STREAM_RECORDS = 20_000;
    private static final String PRODUCT = "SpoolBound";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private ServerProcess server;
    private DaemonProcess daemon;
    private SpoolRoot spool;
    private final List<JavaProcess> apps = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (JavaProcess app : apps) {
            app.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFullSpoolEvictsExactlyAndKeepsEverySessionsStartEndAndCrash() throws Exception {
        server = ServerProcess.start(dir.resolve("server"));
        server.kill9();
        spool = new SpoolRoot(dir.resolve("spool"));
        daemon = DaemonProcess.start(dir.resolve("daemon"), Map.of("server_url", server.url(),
                "spool_dir", spool.path().toString(), "spool_max_bytes", SPOOL_MAX_BYTES));

        // The first stream's start pins the segment being forwarded (the server is down): never evicted.
        String firstStream = runStream("stream-1");
        // Small sessions in the middle of the spool: a crash reported by the daemon, and a clean end.
        JavaProcess killed = startApp("killed", CrashApp.class, PRODUCT, "wait");
        String crashed = TestApps.sessionId(killed);
        killed.awaitLine("READY", Duration.ofSeconds(30));
        killed.kill9();
        Api local = daemon.local();
        Wait.until(Duration.ofSeconds(5), "the daemon spooled the crash of " + crashed, dir,
                () -> !local.json("/session?session_id=" + crashed).get("active").asBoolean());
        JavaProcess clean = startApp("clean", CrashApp.class, PRODUCT, "clean");
        String ended = TestApps.sessionId(clean);
        assertThat(clean.waitFor(Duration.ofSeconds(30))).as(clean.output()).isZero();
        // The last stream pushes the middle sessions' segment out of the spool's bound.
        String lastStream = runStream("stream-2");
        long evictedByDaemon = local.json("/health").at("/spool/evicted_records").asLong();

        server.start();
        Wait.until(Duration.ofSeconds(60), "the daemon delivered everything and exited", dir,
                () -> !daemon.process().isAlive());
        Api api = server.api();

        long evictedOnServer = 0;
        evictedOnServer += checkSession(api, firstStream, STREAM_RECORDS + 2, "ended", null);
        evictedOnServer += checkSession(api, crashed, 1 + CrashApp.EVENTS, "crashed", "killed");
        evictedOnServer += checkSession(api, ended, 1 + CrashApp.EVENTS + 1, "ended", null);
        evictedOnServer += checkSession(api, lastStream, STREAM_RECORDS + 2, "ended", null);
        assertThat(evictedOnServer).as("evicted records the server was told of").isEqualTo(evictedByDaemon)
                .isPositive();
        for (String middle : List.of(crashed, ended)) {
            assertThat(api.sessionOrNull(middle).get("spool_evicted").asLong())
                    .as("records evicted from %s, whose start and end or crash had to survive", middle).isPositive();
        }
        assertThat(spool.daemonDirs()).isEmpty();
    }

    private JavaProcess startApp(String name, Class<?> app, String... args) throws Exception {
        JavaProcess p = TestApps.startWithDaemonPort(dir.resolve("apps"), name, app, server.url(), daemon.port(),
                spool, args);
        apps.add(p);
        return p;
    }

    /** Runs a {@link StreamApp} to its end: the daemon acks everything although the server is down. */
    private String runStream(String name) throws Exception {
        JavaProcess app = startApp(name, StreamApp.class, PRODUCT, Integer.toString(STREAM_RECORDS), "0");
        String id = TestApps.sessionId(app);
        assertThat(app.waitFor(Duration.ofSeconds(60))).as(app.output()).isZero();
        assertThat(TestApps.stats(app).sent()).isEqualTo(STREAM_RECORDS);
        return id;
    }

    /**
     * Checks one session: its start and its final record survived, its app records arrived in
     * order, and delivered + evicted = what the app sent. Returns its eviction count.
     */
    private static long checkSession(Api api, String id, int sentByApp, String status, String crashReason)
            throws Exception {
        JsonNode session = api.sessionOrNull(id);
        assertThat(session).as("session %s", id).isNotNull();
        assertThat(session.get("status").asText()).as("status of %s", id).isEqualTo(status);
        List<JsonNode> records = api.records(id, null);
        List<JsonNode> fromApp = records.stream().filter(r -> r.get("src").asText().equals("app")).toList();
        long evicted = session.get("spool_evicted").asLong();
        System.out.printf("[SpoolBoundIT] session %s: %d app records sent, %d delivered, %d evicted%n", id, sentByApp,
                fromApp.size(), evicted);
        assertThat(fromApp.size() + evicted).as("delivered + spool_evicted of %s", id).isEqualTo(sentByApp);
        assertThat(fromApp.get(0).get("kind").asText()).isEqualTo("session_start");
        for (int i = 1; i < fromApp.size(); i++) {
            assertThat(fromApp.get(i).get("seq").asLong()).as("app records of %s in order", id)
                    .isGreaterThan(fromApp.get(i - 1).get("seq").asLong());
        }
        if (crashReason == null) {
            assertThat(fromApp.get(fromApp.size() - 1).get("kind").asText()).isEqualTo("end");
            assertThat(fromApp.get(fromApp.size() - 1).get("seq").asLong()).isEqualTo(sentByApp);
        } else {
            List<JsonNode> crashes = records.stream().filter(r -> r.get("kind").asText().equals("crash")).toList();
            assertThat(crashes).hasSize(1);
            assertThat(crashes.get(0).get("reason").asText()).isEqualTo(crashReason);
            assertThat(session.get("crash_reason").asText()).isEqualTo(crashReason);
        }
        return evicted;
    }
}

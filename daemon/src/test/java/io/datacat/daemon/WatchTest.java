package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Timestamps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.datacat.daemon.TestSupport.batch;
import static io.datacat.daemon.TestSupport.newSid;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.sessions;
import static io.datacat.daemon.TestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.awaitility.Awaitility.await;

/** Crash reports when an app process dies, hang reports when a session goes silent. */
class WatchTest {
    @TempDir
    Path tmp;
    private RecordingServer server;
    private Daemon daemon;
    private final List<Process> apps = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = RecordingServer.start();
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        apps.forEach(Process::destroyForcibly);
        server.close();
    }

    /** A real process standing in for the app. */
    private Process app() throws IOException {
        Process p = new ProcessBuilder("sleep", "120").start();
        apps.add(p);
        return p;
    }

    private static void signal(String sig, Process p) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor();
        assertThat(rc).as("kill -" + sig).isZero();
    }

    private String registerCompat(long pid) {
        return post(daemon.port(), "/register", "{\"parent_pid\":" + pid + ",\"product\":\"G\",\"version\":\"1\"}")
                .body().get("session_id").asText();
    }

    private String startJava(long pid, ObjectNode extra) {
        String sid = newSid();
        ObjectNode start = start(sid, pid);
        start.setAll(extra);
        assertThat(post(daemon.port(), "/v1/batch", batch(List.of(start))).status()).isEqualTo(200);
        return sid;
    }

    private static String body(String sid) {
        return "{\"session_id\":\"" + sid + "\"}";
    }

    @Test
    void aKilledAppIsReportedAsACrashWithinTwoSeconds() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        Process app = app();
        String compat = registerCompat(app.pid());
        String java = startJava(app.pid(), TestSupport.json("{}"));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records().size() == 2);

        signal("KILL", app);
        long killedAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(2)).until(() -> server.records(compat, "crash").size() == 1
                && server.records(java, "crash").size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(2));
        JsonNode javaCrash = server.records(java, "crash").get(0);
        assertThat(javaCrash.get("reason").asText()).isEqualTo("killed");
        assertThat(javaCrash.get("src").asText()).isEqualTo("daemon");
        assertThat(javaCrash.get("seq").asLong()).isCloseTo(Timestamps.nowMicros(),
                offset(10_000_000L));
        assertThat(javaCrash.get("detail").get("pid").asLong()).isEqualTo(app.pid());
        assertThat(javaCrash.get("message").asText()).contains(Long.toString(app.pid()));
        JsonNode compatCrash = server.records(compat, "crash").get(0);
        assertThat(compatCrash.get("reason").asText()).isEqualTo("process_exited");
        assertThat(compatCrash.get("src").asText()).isEqualTo("daemon");
    }

    @Test
    void aJvmFatalErrorLogInTheAppsWorkingDirectoryMakesItAFatalError() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        Process app = app();
        Path cwd = Files.createDirectories(tmp.resolve("game"));
        String sid = startJava(app.pid(), TestSupport.json("{\"cwd\":\"" + cwd + "\"}"));
        String lines = "#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
                + "#  SIGSEGV (0xb) at pc=0x00007f3a, pid=" + app.pid() + ", tid=4242\n#\n"
                + IntStream.range(0, 200).mapToObj(i -> "detail line " + i).collect(Collectors.joining("\n"));
        Path hsErr = cwd.resolve("hs_err_pid" + app.pid() + ".log");
        Files.writeString(hsErr, lines);

        signal("KILL", app);

        await().atMost(Duration.ofSeconds(2)).until(() -> server.records(sid, "crash").size() == 1);
        JsonNode crash = server.records(sid, "crash").get(0);
        assertThat(crash.get("reason").asText()).isEqualTo("fatal_error");
        assertThat(crash.get("message").asText()).contains("SIGSEGV (0xb) at pc=0x00007f3a");
        assertThat(crash.get("detail").get("hs_err_file").asText()).isEqualTo(hsErr.toString());
        String head = crash.get("detail").get("hs_err_head").asText();
        assertThat(head.lines()).hasSize(60);
        assertThat(head).startsWith("#\n# A fatal error");
    }

    @Test
    void aPathThatIsNoPathOnThisSystemDoesNotStopCrashReports() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        Process app = app();
        String bad = startJava(app.pid(), TestSupport.json("{\"cwd\":\"/tmp/\\u0000x\","
                + "\"attrs\":{\"hs_err_path\":\"/tmp/\\u0000y\"}}"));
        String good = startJava(app.pid(), TestSupport.json("{}"));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records().size() == 2);

        signal("KILL", app);

        await().atMost(Duration.ofSeconds(2)).until(() -> server.records(bad, "crash").size() == 1
                && server.records(good, "crash").size() == 1);
        assertThat(server.records(bad, "crash").get(0).get("reason").asText()).isEqualTo("killed");
    }

    @Test
    void countersAndHistogramsNearTheLargestDoubleStillLetTheSessionEndAndCrash() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        Process app = app();
        String ending = registerCompat(app.pid());
        String crashing = registerCompat(app.pid());
        for (String sid : List.of(ending, crashing)) {
            // Each call is a record of its own: two of them no longer make a sum that overflows.
            String counter = "{\"session_id\":\"" + sid + "\",\"name\":\"big\",\"type\":\"counter\","
                    + "\"value\":0,\"delta\":1e308}";
            assertThat(post(daemon.port(), "/metric", counter).status()).isEqualTo(200);
            assertThat(post(daemon.port(), "/metric", counter).status()).isEqualTo(200);
            String histogram = "{\"session_id\":\"" + sid + "\",\"name\":\"wide\",\"type\":\"histogram\","
                    + "\"value\":1.7e308}";
            assertThat(post(daemon.port(), "/metric", histogram).status()).isEqualTo(200);
            assertThat(post(daemon.port(), "/metric", histogram).status()).isEqualTo(200);
        }
        assertThat(post(daemon.port(), "/end", body(ending)).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(ending, "end").size() == 1);
        assertThat(server.records(ending, "metric")).extracting(r -> r.get("value").asDouble())
                .containsExactly(1e308, 1e308, 1.7e308, 1.7e308);

        signal("KILL", app);
        await().atMost(Duration.ofSeconds(2)).until(() -> server.records(crashing, "crash").size() == 1);
    }

    @Test
    void aSessionThatEndedIsNotReportedWhenItsAppDies() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        Process app = app();
        String ended = registerCompat(app.pid());
        String open = registerCompat(app.pid());
        assertThat(post(daemon.port(), "/end", body(ended)).status()).isEqualTo(200);

        signal("KILL", app);

        // The open session's crash proves the daemon saw the death; the ended one stays ended.
        await().atMost(Duration.ofSeconds(2)).until(() -> server.records(open, "crash").size() == 1);
        assertThat(server.records(ended)).extracting(r -> r.get("kind").asText()).containsExactly("session_start", "end");
    }

    @Test
    void aHeartbeatingCompatibleSessionThatFallsSilentIsHungUntilItBeatsAgain() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).heartbeatTimeout(Duration.ofMillis(400)).build());
        String silent = registerCompat(ProcessHandle.current().pid());
        String neverBeats = registerCompat(ProcessHandle.current().pid());
        String paused = registerCompat(ProcessHandle.current().pid());
        post(daemon.port(), "/heartbeat", body(silent));
        post(daemon.port(), "/heartbeat", body(paused));
        post(daemon.port(), "/pause_heartbeat", body(paused));

        await().atMost(Duration.ofSeconds(3)).until(() -> server.records(silent, "hang").size() == 1);
        JsonNode hang = server.records(silent, "hang").get(0);
        assertThat(hang.get("detected_by").asText()).isEqualTo("daemon");
        assertThat(hang.get("src").asText()).isEqualTo("daemon");
        assertThat(hang.get("timeout_ms").asLong()).isEqualTo(400);
        assertThat(hang.get("silent_ms").asLong()).isGreaterThan(400);
        // Checked in the same rounds as the silent one: never hung without heartbeats, or while paused.
        assertThat(server.records(neverBeats, "hang")).isEmpty();
        assertThat(server.records(paused, "hang")).isEmpty();

        post(daemon.port(), "/heartbeat", body(silent));

        await().atMost(Duration.ofSeconds(2)).until(() -> server.records(silent, "recovered").size() == 1);
        assertThat(server.records(silent, "recovered").get(0).get("duration_ms").asLong()).isGreaterThan(400);
        assertThat(server.records(silent, "hang")).as("one hang, one report").hasSize(1);
    }

    @Test
    void aFrozenJavaAppIsHungAndRecoversWhenItTalksAgain() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        Process app = app();
        String sid = startJava(app.pid(), TestSupport.json("{\"hang_timeout_ms\":400}"));
        post(daemon.port(), "/v1/batch", batch(List.of(), sessions(sid, 0, Timestamps.nowMicros(), false)));

        signal("STOP", app);

        // A batch client talks every second: the daemon waits at least 3 s whatever the timeout.
        await().atMost(Duration.ofSeconds(6)).until(() -> server.records(sid, "hang").size() == 1);
        JsonNode hang = server.records(sid, "hang").get(0);
        assertThat(hang.get("detail").get("process_state").asText()).isEqualTo("T");
        assertThat(hang.get("thread").asText()).contains("stopped");
        assertThat(hang.get("timeout_ms").asLong()).isEqualTo(3000);
        assertThat(hang.get("silent_ms").asLong()).isGreaterThan(3000);

        signal("CONT", app);
        post(daemon.port(), "/v1/batch", batch(List.of(), sessions(sid, 0, Timestamps.nowMicros(), false)));

        await().atMost(Duration.ofSeconds(2)).until(() -> server.records(sid, "recovered").size() == 1);
    }

    @Test
    void aJavaAppThatPausedOrTurnedOffItsHangWatchIsNotHung() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        Process app = app();
        String paused = startJava(app.pid(), TestSupport.json("{\"hang_timeout_ms\":300}"));
        String off = startJava(app.pid(), TestSupport.json("{\"hang_timeout_ms\":0}"));
        String watched = startJava(app.pid(), TestSupport.json("{\"hang_timeout_ms\":300}"));
        ObjectNode counters = sessions(paused, 0, Timestamps.nowMicros(), true);
        counters.setAll(sessions(off, 0, Timestamps.nowMicros(), false));
        counters.setAll(sessions(watched, 0, Timestamps.nowMicros(), false));
        post(daemon.port(), "/v1/batch", batch(List.of(), counters));

        // The watched session's hang proves the others were checked in the same rounds.
        await().atMost(Duration.ofSeconds(6)).until(() -> server.records(watched, "hang").size() == 1);
        assertThat(server.records(paused, "hang")).isEmpty();
        assertThat(server.records(off, "hang")).isEmpty();
    }
}

package io.datacat.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.it.apps.CrashApp;
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
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How an app died, as the server tells it: each way of dying makes the session {@code crashed}
 * with its reason and detail within 2 s of the death (measured from the moment the test saw
 * the process gone), and a clean run makes it {@code ended}. An app killed together with its
 * daemon leaves nobody to report: the server marks it {@code abnormal} once it has been silent
 * for {@code --abnormal-after}. Real app, daemon and server processes; the app is
 * {@link CrashApp}.
 */
class CrashIT {
    /** The behaviour bound: from the app's death to {@code crashed} on the server. */
    private static final Duration CRASH_VISIBLE_WITHIN = Duration.ofSeconds(2);
    private static final Duration ABNORMAL_AFTER = Duration.ofSeconds(2);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path serverDir;
    private static ServerProcess server;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private SpoolRoot spool;
    private String product;
    private final List<JavaProcess> apps = new ArrayList<>();
    /** A server of one test's own, with a short --abnormal-after. */
    private ServerProcess silenceWatchingServer;

    @BeforeAll
    static void startServer() throws Exception {
        server = ServerProcess.start(serverDir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void setUp(TestInfo test) {
        spool = new SpoolRoot(dir.resolve("spool"));
        product = "Crash-" + test.getTestMethod().orElseThrow().getName();
    }

    @AfterEach
    void stopApps() throws Exception {
        for (JavaProcess app : apps) {
            app.close();
        }
        spool.killDaemons();
        if (silenceWatchingServer != null) {
            silenceWatchingServer.close();
        }
    }

    @Test
    void anAppKilledWithKill9IsCrashedKilled() throws Exception {
        JavaProcess app = start("wait");
        String id = awaitReady(app);

        app.kill9();
        JsonNode s = awaitCrashed(id, "kill -9");
        assertThat(s.get("crash_reason").asText()).isEqualTo("killed");
        assertThat(s.at("/crash_detail/pid").asLong()).isEqualTo(app.pid());
        assertThat(s.at("/crash_detail/detected_by").asText()).isEqualTo("daemon");
        assertThat(s.at("/crash_detail/message").asText()).contains("kill -9");
        assertOneCrashRecordFrom(id, "daemon");
    }

    @Test
    void anAppDyingOfAnUncaughtExceptionIsCrashedWithTheException() throws Exception {
        JavaProcess app = start("uncaught");
        String id = awaitReady(app);

        assertThat(app.waitFor(Duration.ofSeconds(20))).as("exit code of an uncaught exception in main").isEqualTo(1);
        JsonNode s = awaitCrashed(id, "the uncaught exception");
        assertThat(s.get("crash_reason").asText()).isEqualTo("uncaught_exception");
        assertThat(s.at("/crash_detail/exception_type").asText()).isEqualTo(IllegalStateException.class.getName());
        assertThat(s.at("/crash_detail/exception_msg").asText()).isEqualTo("save file is corrupt");
        assertThat(s.at("/crash_detail/thread").asText()).isEqualTo("main");
        assertThat(s.at("/crash_detail/stacktrace").toString()).contains(CrashApp.class.getName() + ".loadSaveGame(");
        assertOneCrashRecordFrom(id, "app");
        List<JsonNode> exceptions = server.api().records(id, "exception");
        assertThat(exceptions).as("the uncaught exception is also logged").hasSize(1);
        assertThat(exceptions.get(0).get("level").asText()).isEqualTo("critical");
    }

    @Test
    void aWorkerDyingWhileMainGoesOnIsNotBlamedForTheExit() throws Exception {
        JavaProcess app = start("worker");
        String id = awaitReady(app);

        assertThat(app.waitFor(Duration.ofSeconds(20))).as("main returned normally").isZero();
        JsonNode s = awaitCrashed(id, "main returning without end()");
        assertThat(s.get("crash_reason").asText()).isEqualTo("exit_without_end");
        assertThat(s.at("/crash_detail/how").asText()).isEqualTo("main returned");
        assertThat(s.at("/crash_detail/last_uncaught").asText())
                .isEqualTo(IllegalStateException.class.getName() + " in thread \"asset-loader\"");
        assertOneCrashRecordFrom(id, "app");
    }

    @Test
    void anAppCallingSystemExitWithoutEndIsCrashedWithTheCaller() throws Exception {
        JavaProcess app = start("exit");
        String id = awaitReady(app);

        assertThat(app.waitFor(Duration.ofSeconds(20))).isEqualTo(CrashApp.EXIT_CODE);
        JsonNode s = awaitCrashed(id, "System.exit(3)");
        assertThat(s.get("crash_reason").asText()).isEqualTo("exit_without_end");
        assertThat(s.at("/crash_detail/how").asText()).isEqualTo("System.exit");
        assertThat(s.at("/crash_detail/message").asText()).contains(CrashApp.class.getName() + ".quitWithoutEnding(");
        assertThat(s.at("/crash_detail/stack/0").asText()).contains(CrashApp.class.getName() + ".quitWithoutEnding(");
        assertOneCrashRecordFrom(id, "app");
    }

    @Test
    void anAppCrashingTheJvmIsCrashedWithTheFatalErrorLog() throws Exception {
        Path errorFile = dir.resolve("hs_err_pid%p.log");
        JavaProcess app = start(List.of("-XX:ErrorFile=" + errorFile, "-XX:-CreateCoredumpOnCrash"), "fatal");
        String id = awaitReady(app);

        assertThat(app.waitFor(Duration.ofSeconds(30))).as("a JVM that died of a fatal error").isNotZero();
        JsonNode s = awaitCrashed(id, "the JVM's fatal error");
        Path hsErr = dir.resolve("hs_err_pid" + app.pid() + ".log");
        assertThat(hsErr).as("the JVM wrote its fatal error log").exists();
        assertThat(s.get("crash_reason").asText()).isEqualTo("fatal_error");
        assertThat(s.at("/crash_detail/hs_err_file").asText()).isEqualTo(hsErr.toString());
        assertThat(s.at("/crash_detail/hs_err_head").asText())
                .startsWith(String.join("\n", Files.readAllLines(hsErr).subList(0, 10)))
                .contains("SIGSEGV");
        assertThat(s.at("/crash_detail/message").asText()).contains("SIGSEGV");
        assertOneCrashRecordFrom(id, "daemon");
    }

    @Test
    void aCleanRunIsEnded() throws Exception {
        JavaProcess app = start("clean");
        String id = awaitReady(app);

        assertThat(app.waitFor(Duration.ofSeconds(20))).isZero();
        Api api = server.api();
        Wait.until(CRASH_VISIBLE_WITHIN, "session " + id + " ended", dir, () -> "ended".equals(api.status(id)));
        assertThat(api.sessionOrNull(id).get("crash_reason")).isNull();
        assertThat(api.records(id, "crash")).isEmpty();
        assertThat(api.records(id, "event")).hasSize(CrashApp.EVENTS);
    }

    @Test
    void anAppDyingTogetherWithItsDaemonIsAbnormalOnceSilent() throws Exception {
        silenceWatchingServer = ServerProcess.start(dir.resolve("server"), "--abnormal-after",
                Long.toString(ABNORMAL_AFTER.toSeconds()));
        JavaProcess app = TestApps.start(dir, "app", CrashApp.class, List.of(), silenceWatchingServer.url(), spool,
                product, "wait");
        apps.add(app);
        String id = awaitReady(app);
        ProcessHandle daemon = app.awaitChild(Duration.ofSeconds(5));
        Api api = silenceWatchingServer.api();
        Wait.until(Duration.ofSeconds(10), "session " + id + " active on the server", dir,
                () -> "active".equals(api.status(id)));

        // The daemon first, so nobody is left to see the app die.
        daemon.destroyForcibly();
        app.kill9();
        Duration latency = Wait.until(ABNORMAL_AFTER.plusSeconds(5), "session " + id + " abnormal", dir,
                () -> "abnormal".equals(api.status(id)));
        System.out.printf("[CrashIT] app and daemon killed together -> abnormal in %d ms (--abnormal-after %d s)%n",
                latency.toMillis(), ABNORMAL_AFTER.toSeconds());
        JsonNode s = api.sessionOrNull(id);
        assertThat(s.get("crash_reason")).as("nobody knows how it ended").isNull();
        assertThat(s.get("ended_at").asText()).isEqualTo(s.get("last_seen").asText());
        assertThat(api.records(id, "crash")).isEmpty();
    }

    private JavaProcess start(String mode) throws Exception {
        return start(List.of(), mode);
    }

    private JavaProcess start(List<String> jvmArgs, String mode) throws Exception {
        JavaProcess app = TestApps.start(dir, "app", CrashApp.class, jvmArgs, server.url(), spool, product, mode);
        apps.add(app);
        return app;
    }

    /** The session id, once the app's first events are with its daemon. */
    private static String awaitReady(JavaProcess app) {
        String id = TestApps.sessionId(app);
        app.awaitLine("READY", Duration.ofSeconds(30));
        return id;
    }

    /** Waits (from now, the moment the app was seen dead) until the server says crashed; returns the session. */
    private JsonNode awaitCrashed(String id, String death) throws Exception {
        Api api = server.api();
        Duration latency = Wait.until(CRASH_VISIBLE_WITHIN, "session " + id + " crashed after " + death, dir,
                () -> "crashed".equals(api.status(id)));
        System.out.printf("[CrashIT] %s -> crashed on the server in %d ms%n", death, latency.toMillis());
        return api.sessionOrNull(id);
    }

    /**
     * One crash record, from the party that saw the death: the client ({@code app}) or the
     * daemon. Checked once the daemon has delivered everything and exited, so a late second
     * report would be there.
     */
    private void assertOneCrashRecordFrom(String id, String src) throws Exception {
        Wait.until(Duration.ofSeconds(10), "the daemon delivered everything and left", dir,
                () -> spool.daemonDirs().isEmpty());
        List<JsonNode> crashes = server.api().records(id, "crash");
        assertThat(crashes).as("crash records").hasSize(1);
        assertThat(crashes.get(0).get("src").asText()).isEqualTo(src);
    }
}

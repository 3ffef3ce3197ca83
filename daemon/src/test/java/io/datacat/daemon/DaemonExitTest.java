package io.datacat.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.datacat.daemon.TestSupport.batch;
import static io.datacat.daemon.TestSupport.newSid;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** When a daemon decides by itself that its work is done. */
class DaemonExitTest {
    @TempDir
    Path tmp;
    private RecordingServer server;
    private Daemon daemon;
    private Process app;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (app != null) {
            app.destroyForcibly();
        }
        if (server != null) {
            server.close();
        }
    }

    private String register() {
        return post(daemon.port(), "/register", "{\"parent_pid\":" + ProcessHandle.current().pid()
                + ",\"product\":\"G\",\"version\":\"1\"}").body().get("session_id").asText();
    }

    @Test
    void withoutAParentItExitsTwoSecondsAfterItsLastSessionEndedAndWasDelivered() throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String first = register();
        post(daemon.port(), "/end", "{\"session_id\":\"" + first + "\"}");
        // A new session within the quiet period keeps the daemon alive.
        String second = register();
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(3)).until(() -> !daemon.exitCode().isDone());

        post(daemon.port(), "/end", "{\"session_id\":\"" + second + "\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(second, "end").size() == 1);
        long deliveredAt = System.nanoTime();

        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.exitCode().isDone());
        assertThat(Duration.ofNanos(System.nanoTime() - deliveredAt)).isGreaterThan(Duration.ofMillis(1500));
        assertThat(daemon.exitCode().join()).isZero();
        assertThat(daemon.spoolDirectory()).as("a delivered spool is removed").doesNotExist();
    }

    @Test
    void withAParentItExitsOnceTheParentIsDeadAndItsCrashIsDelivered() throws IOException {
        server = RecordingServer.start();
        app = new ProcessBuilder("sleep", "120").start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).parentPid(app.pid()).build());
        String sid = newSid();
        // The session's start does not name its pid: it belongs to the parent.
        post(daemon.port(), "/v1/batch", batch(List.of(start(sid, 0))));

        app.destroyForcibly();

        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.exitCode().isDone());
        assertThat(server.records(sid, "crash")).hasSize(1);
        assertThat(daemon.exitCode().join()).isZero();
    }

    @Test
    void whenTheServerStaysDownItLingersThenLeavesTheSpoolForTheNextDaemon() throws IOException {
        app = new ProcessBuilder("sleep", "120").start();
        daemon = Daemon.start(TestSupport.config(tmp, RecordingServer.unreachableUrl()).parentPid(app.pid())
                .linger(Duration.ofSeconds(1)).build());
        String sid = newSid();
        post(daemon.port(), "/v1/batch", batch(List.of(start(sid, app.pid()))));

        app.destroyForcibly();

        await().atMost(Duration.ofSeconds(6)).until(() -> daemon.exitCode().isDone());
        Path dir = daemon.spoolDirectory();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.filter(p -> p.toString().endsWith(".seg"))).hasSize(1);
        }
        assertThat(dir.resolve("LOCK")).as("unlocked, for the next daemon to adopt").exists();
    }
}

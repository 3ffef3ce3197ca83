package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.datacat.daemon.TestSupport.batch;
import static io.datacat.daemon.TestSupport.event;
import static io.datacat.daemon.TestSupport.get;
import static io.datacat.daemon.TestSupport.newSid;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.seqs;
import static io.datacat.daemon.TestSupport.sessions;
import static io.datacat.daemon.TestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Java client's fast path, {@code POST /v1/batch}, against a recording stand-in for the server. */
class BatchRouteTest {
    @TempDir
    Path tmp;
    private RecordingServer server;
    private Daemon daemon;

    private void startDaemon(DaemonConfig.Builder config) throws IOException {
        daemon = Daemon.start(config.build());
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void acksABatchAndDeliversItInOrderWithTheSessionCounters() throws IOException {
        server = RecordingServer.start();
        startDaemon(TestSupport.config(tmp, server.url()));
        String sid = newSid();

        TestSupport.Reply reply = post(daemon.port(), "/v1/batch",
                batch(List.of(start(sid, 0), event(sid, 2, "level_loaded"), event(sid, 3, "boss_spawned")),
                        sessions(sid, 4, 1_700_000_000_000_000L, null)));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("ok");
        assertThat(reply.body().get("accepted").asInt()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 3);
        assertThat(seqs(server.records(sid))).containsExactly(1L, 2L, 3L);
        assertThat(server.records(sid).get(1).get("name").asText()).isEqualTo("level_loaded");
        assertThat(server.maxCounter(sid, "client_dropped")).isEqualTo(4);
        assertThat(server.maxCounter(sid, "last_heartbeat")).isEqualTo(1_700_000_000_000_000L);
        assertThat(server.encodings()).contains("gzip");
        await().atMost(Duration.ofSeconds(5)).until(() -> health().path("spool").path("pending_records").asLong() == 0);
    }

    @Test
    void aKeepAliveWritesNoFrameButItsCountersReachTheServer() throws IOException {
        server = RecordingServer.start();
        startDaemon(TestSupport.config(tmp, server.url()));
        String sid = newSid();
        post(daemon.port(), "/v1/batch", batch(List.of(start(sid, 0))));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 1);
        long bytes = health().path("spool").path("bytes").asLong();

        TestSupport.Reply reply = post(daemon.port(), "/v1/batch", batch(List.of(), sessions(sid, 7, 123, false)));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().get("accepted").asInt()).isZero();
        assertThat(health().path("spool").path("bytes").asLong()).isEqualTo(bytes);
        // The forwarder's keep-alive (every 5 s when idle) carries the session's counters.
        await().atMost(Duration.ofSeconds(8)).until(() -> server.keepAlives().stream()
                .anyMatch(b -> b.path("sessions").path(sid).path("client_dropped").asLong() == 7));
        assertThat(server.records(sid)).hasSize(1);
    }

    @Test
    void sendsTheApiKeyAndPlainJsonWhenCompressionIsOff() throws IOException {
        server = RecordingServer.start();
        startDaemon(TestSupport.config(tmp, server.url()).apiKey("secret-key").enableCompression(false));
        String sid = newSid();

        post(daemon.port(), "/v1/batch", batch(List.of(start(sid, 0))));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 1);
        assertThat(server.authorizations()).containsOnly("Bearer secret-key");
        assertThat(server.encodings()).containsOnly("null");
    }

    @Test
    void recordsReachTheServerAsSentWithTheirDefaultsAndPlainOnLoopbackByDefault() throws IOException {
        server = RecordingServer.start();
        startDaemon(TestSupport.config(tmp, server.url()).enableCompression(null));
        String sid = newSid();
        var warned = event(sid, 2, "low_fps");
        warned.put("level", "WARN");
        warned.putObject("data").put("fps", 23.5).putArray("frames").add(1).add(2.5e-7);
        var metric = TestSupport.record(sid, 3, "metric");
        metric.put("name", "frame_time").put("value", 0.016);

        post(daemon.port(), "/v1/batch", batch(List.of(start(sid, 0), warned, metric)));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 3);
        JsonNode event = server.records(sid).get(1);
        assertThat(event.get("level").asText()).isEqualTo("warning");
        assertThat(event.get("src").asText()).isEqualTo("app");
        assertThat(event.get("data")).isEqualTo(warned.get("data"));
        assertThat(server.records(sid).get(2).get("type").asText()).isEqualTo("gauge");
        assertThat(server.encodings()).as("the server is on loopback").containsOnly("null");
    }

    @Test
    void refusesRecordsInTheDaemonsOwnSequenceSpace() throws IOException {
        server = RecordingServer.start();
        startDaemon(TestSupport.config(tmp, server.url()));
        String sid = newSid();
        var forged = event(sid, 5, "forged");
        forged.put("src", "daemon");

        TestSupport.Reply reply = post(daemon.port(), "/v1/batch", batch(List.of(forged)));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().get("field").asText()).isEqualTo("records[0].src");
        assertThat(health().path("spool").path("bytes").asLong()).isZero();
    }

    private JsonNode health() {
        return get(daemon.port(), "/health").body();
    }
}

package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;
import io.datacat.server.live.LiveFeed;
import io.datacat.server.store.SessionRow;
import io.datacat.server.testing.TestServer;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The running server's sweeper, with a short --abnormal-after. */
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class AbnormalSessionsTest {
    @Parameter
    TestStores.Kind kind;

    @Test
    void aSilentSessionBecomesAbnormalAndALaterEndStillEndsIt(@TempDir Path dir) {
        try (TestServer server = TestServer.start(TestStores.location(kind, dir), b -> b.abnormalAfter(Duration.ofMillis(500)))) {
            assertThat(server.post("/api/ingest", batchJson(start("quiet", 1, "Game", "1.0")).toString())
                    .statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                    assertThat(json(server.get("/api/sessions/quiet")).get("status").asText()).isEqualTo("abnormal"));
            JsonNode s = json(server.get("/api/sessions/quiet"));
            assertThat(s.get("suspended").asBoolean()).isTrue();
            assertThat(s.get("active").asBoolean()).isFalse();
            assertThat(s.get("ended_at").asText()).isEqualTo(s.get("last_seen").asText());

            server.post("/api/ingest", batchJson(end("quiet", 2)).toString());
            assertThat(json(server.get("/api/sessions/quiet")).get("status").asText()).isEqualTo("ended");
        }
    }

    /** The README: a live session page's header follows the session's status, abnormal included. */
    @Test
    void aPageWatchingASessionLiveIsToldItBecameAbnormal(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(TestStores.location(kind, dir), b -> b.abnormalAfter(Duration.ofMillis(500)))) {
            assertThat(server.post("/api/ingest", batchJson(start("stalled", 1, "Game", "1.0")).toString())
                    .statusCode()).isEqualTo(200);
            LiveFeed live = server.server().live();
            SessionRow row = server.server().store().read(tx -> tx.session("stalled")).orElseThrow();
            List<String> sessionEvents = new CopyOnWriteArrayList<>();
            try (AutoCloseable watch = live.watch(live.reserve(), row, new LiveFeed.Sink() {
                @Override
                public boolean send(String event, String data) {
                    if (event.equals("session")) {
                        sessionEvents.add(Json.parseObject(data.getBytes(StandardCharsets.UTF_8)).get("status").asText());
                    }
                    return true;
                }

                @Override
                public boolean comment(String text) {
                    return true;
                }

                @Override
                public void close() {
                }
            })) {
                // With PostgreSQL the ingest's own notification may reach the page after it
                // connected: one more "active" summary, harmless. What must hold is the order.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(sessionEvents.stream().distinct()).containsExactly("active", "abnormal"));
                assertThat(sessionEvents.get(sessionEvents.size() - 1)).isEqualTo("abnormal");
            }
        }
    }
}

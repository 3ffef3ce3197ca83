package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.server.testing.TestServer;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;

import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The running server's retention, with a short --retention. */
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class RetentionTest {
    @Parameter
    TestStores.Kind kind;

    @Test
    void anEndedSessionIsDeletedOnceTheRetentionHasPassedAndAnActiveOneIsKept(@TempDir Path dir) {
        try (TestServer server = TestServer.start(TestStores.location(kind, dir), b -> b.retention(Duration.ofSeconds(2)))) {
            assertThat(server.post("/api/ingest", batchJson(start("done", 1, "Game", "1.0"),
                    event("done", 2, "level_up", "info"), end("done", 3)).toString()).statusCode()).isEqualTo(200);
            assertThat(server.post("/api/ingest", batchJson(start("playing", 1, "Game", "1.0")).toString())
                    .statusCode()).isEqualTo(200);
            assertThat(server.get("/api/sessions/done").statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                    assertThat(server.get("/api/sessions/done").statusCode()).isEqualTo(404));
            assertThat(server.get("/api/sessions/done/events").statusCode()).isEqualTo(404);
            JsonNode list = json(server.get("/api/sessions"));
            assertThat(list.get("sessions")).extracting(s -> s.get("id").asText()).containsExactly("playing");
            assertThat(server.recordCount()).isEqualTo(
                    server.server().store().read(tx -> tx.session("playing")).orElseThrow().counts().records());
        }
    }
}

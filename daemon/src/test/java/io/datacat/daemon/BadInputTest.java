package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.datacat.daemon.TestSupport.get;
import static io.datacat.daemon.TestSupport.newSid;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;
import static org.awaitility.Awaitility.await;

/**
 * Bad input gets a 4xx JSON error and changes nothing: no record reaches the spool or the
 * server. Every case runs against one daemon; a valid record sent afterwards is the barrier
 * that proves nothing slipped through before it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private RecordingServer server;
    private Daemon daemon;
    private String sid;

    private record Case(String what, String method, String path, byte[] body, int status, String errorContains) {
        static Case post(String what, String path, String body, int status, String errorContains) {
            return new Case(what, "POST", path, body.getBytes(StandardCharsets.UTF_8), status, errorContains);
        }
    }

    @BeforeAll
    void start(@TempDir Path tmp) throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        sid = post(daemon.port(), "/register", "{\"parent_pid\":0,\"product\":\"G\",\"version\":\"1\"}")
                .body().get("session_id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 1);
    }

    @AfterAll
    void stop() {
        daemon.close();
        server.close();
    }

    @Test
    void everyBadRequestGetsAJsonErrorAndSpoolsNothing() {
        String s = "\"session_id\":\"" + sid + "\"";
        String record = "{\"sid\":\"a-1\",\"seq\":1,\"kind\":\"event\",\"ts\":1700000000000000,\"name\":\"x\"";
        String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        byte[] oversize = new byte[17 * 1024 * 1024];
        Arrays.fill(oversize, (byte) ' ');
        List<Case> cases = new ArrayList<>(List.of(
                Case.post("malformed JSON", "/v1/batch", "{\"records\": [", 400, "malformed JSON"),
                Case.post("records of the wrong type", "/v1/batch", "{\"records\": 5}", 400, "must be an array"),
                Case.post("NaN", "/v1/batch", "{\"records\":[" + record + ",\"data\":{\"v\":NaN}}]}", 400, "NaN"),
                Case.post("Infinity token", "/v1/batch", "{\"records\":[" + record + ",\"data\":{\"v\":Infinity}}]}",
                        400, "Infinity"),
                Case.post("a number that overflows", "/v1/batch", "{\"records\":[" + record + ",\"data\":{\"v\":1e999}}]}",
                        400, "not finite"),
                Case.post("deep nesting", "/v1/batch", "{\"records\":[" + record + ",\"data\":" + deep + "}]}", 400,
                        "nested deeper"),
                Case.post("a record without seq", "/v1/batch",
                        "{\"records\":[{\"sid\":\"a\",\"kind\":\"event\",\"ts\":1,\"name\":\"x\"}]}", 400, "seq"),
                Case.post("hang_paused not a boolean", "/v1/batch",
                        "{\"records\":[],\"sessions\":{\"a\":{\"hang_paused\":\"yes\"}}}", 400, "hang_paused"),
                Case.post("an empty body", "/v1/batch", "", 400, "empty"),
                Case.post("a duplicate key", "/v1/batch", "{\"records\":[],\"records\":[]}", 400, "Duplicate field"),
                Case.post("data after the batch", "/v1/batch", "{\"records\":[]} {}", 400, "more data after"),
                Case.post("a batch that is an array", "/v1/batch", "[]", 400, "must be a JSON object"),
                Case.post("neither records nor sessions", "/v1/batch", "{\"other\":1}", 400, "a batch needs"),
                Case.post("a string too long for the daemon's heap", "/v1/batch", "{\"records\":[" + record
                        + ",\"data\":{\"v\":\"" + "x".repeat(4 * 1024 * 1024 + 1) + "\"}}]}", 400, "exceeds the maximum allowed (4194304"),
                Case.post("sessions not an object", "/v1/batch", "{\"sessions\":[1]}", 400, "\"sessions\" must be"),
                Case.post("empty product", "/register", "{\"parent_pid\":1,\"product\":\"\",\"version\":\"1\"}", 400,
                        "Product and version are required fields"),
                Case.post("missing version", "/register", "{\"product\":\"G\"}", 400,
                        "Product and version are required fields"),
                Case.post("parent_pid not a number", "/register",
                        "{\"parent_pid\":\"abc\",\"product\":\"G\",\"version\":\"1\"}", 400, "parent_pid"),
                Case.post("a product over its length limit", "/register",
                        "{\"product\":\"" + "p".repeat(200) + "\",\"version\":\"1\"}", 400, "limit is 128"),
                Case.post("unknown session", "/state", "{\"session_id\":\"nope\",\"state\":{\"a\":1}}", 404,
                        "Session not found"),
                Case.post("missing session_id", "/event", "{\"name\":\"x\"}", 400, "session_id is required"),
                Case.post("state not an object", "/state", "{" + s + ",\"state\":[1]}", 400, "state must be a JSON object"),
                Case.post("event name not a string", "/event", "{" + s + ",\"name\":5}", 400, "name must be a string"),
                Case.post("labels not a list", "/event", "{" + s + ",\"name\":\"x\",\"labels\":\"a\"}", 400, "labels"),
                Case.post("metric value not a number", "/metric", "{" + s + ",\"name\":\"fps\",\"value\":\"fast\"}", 400,
                        "value"),
                Case.post("metric type not a text", "/metric", "{" + s + ",\"name\":\"fps\",\"type\":5,\"value\":1}",
                        400, "type must be a text"),
                Case.post("bad histogram bucket", "/metric", "{" + s + ",\"name\":\"t\",\"type\":\"histogram\","
                        + "\"value\":1,\"metadata\":{\"buckets\":[1,\"x\"]}}", 400, "metadata.buckets[1]"),
                Case.post("counter delta as a string", "/metric", "{" + s + ",\"name\":\"c\",\"type\":\"counter\","
                        + "\"value\":0,\"delta\":\"1\"}", 400, "value"),
                Case.post("end of an unknown session", "/end", "{\"session_id\":\"" + newSid() + "\"}", 404,
                        "Session not found"),
                Case.post("heartbeat of an unknown session", "/heartbeat", "{\"session_id\":\"x\"}", 404,
                        "Session not found"),
                Case.post("unknown route", "/nope", "{}", 404, "Not found"),
                new Case("wrong method", "GET", "/register", null, 405, "Method not allowed"),
                new Case("GET /session without its parameter", "GET", "/session", null, 400,
                        "Missing session_id parameter"),
                new Case("over 16 MiB", "POST", "/v1/batch", oversize, 413, "larger than the limit")));

        assertSoftly(softly -> {
            for (Case c : cases) {
                TestSupport.Reply reply = send(daemon.port(), c.method(), c.path(), c.body());
                softly.assertThat(reply.status()).as(c.what()).isEqualTo(c.status());
                softly.assertThat(reply.error()).as(c.what()).contains(c.errorContains());
            }
        });

        JsonNode health = get(daemon.port(), "/health").body();
        assertThat(health.path("spool").path("pending_records").asLong()).isZero();
        post(daemon.port(), "/event", "{" + s + ",\"name\":\"barrier\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 2);
        assertThat(server.records()).extracting(r -> r.get("kind").asText()).containsExactly("session_start", "event");
        assertThat(server.records(sid).get(1).get("seq").asLong())
                .as("rejected requests took no sequence number").isEqualTo(2);
    }
}

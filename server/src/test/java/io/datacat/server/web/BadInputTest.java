package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;
import io.datacat.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input a client should not send: each gets a 4xx with a JSON error (naming the field when
 * there is one), never a 500, and changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    private static final int MAX_BODY = 64 * 1024;
    private static final String SID = "existing-session";
    private static final String REC = "{\"sid\":\"" + SID + "\",\"seq\":2,\"kind\":\"event\",\"ts\":1764294000000000,";

    private TestServer server;

    @BeforeAll
    void startServer(@TempDir Path dir) {
        server = TestServer.start(dir, b -> b.maxBodyBytes(MAX_BODY));
        HttpResponse<String> r = server.post("/api/ingest", batchJson(start(SID, 1, "Game", "1.0")).toString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    record Case(String name, Function<TestServer, HttpResponse<String>> call, int status, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case ingest(String name, String body, int status, String field) {
        return new Case(name, s -> s.post("/api/ingest", body), status, field);
    }

    private static Case post(String name, String path, String body, int status, String field) {
        return new Case(name, s -> s.post(path, body), status, field);
    }

    private static Case get(String name, String path, String field) {
        return new Case(name, s -> s.get(path), 400, field);
    }

    private static String nested(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    private static String hugeEvent() {
        return "{\"records\":[" + REC + "\"name\":\"" + "x".repeat(MAX_BODY * 3) + "\"}]}";
    }

    static List<Case> cases() {
        String session = "/api/sessions/" + SID;
        return List.of(
                ingest("malformed JSON", "{\"records\": [", 400, null),
                ingest("not an object", "[1, 2]", 400, null),
                ingest("empty body", "", 400, null),
                ingest("trailing garbage", "{\"records\": []} x", 400, null),
                ingest("duplicate keys", "{\"records\": [], \"records\": []}", 400, null),
                ingest("records not an array", "{\"records\": 5}", 400, "records"),
                ingest("no sid", "{\"records\":[{\"seq\":1,\"kind\":\"event\",\"ts\":1,\"name\":\"x\"}]}", 400,
                        "records[0].sid"),
                ingest("bad sid", "{\"records\":[{\"sid\":\"a b/c\",\"seq\":1,\"kind\":\"end\",\"ts\":1}]}", 400,
                        "records[0].sid"),
                ingest("seq as a string", "{\"records\":[{\"sid\":\"x\",\"seq\":\"1\",\"kind\":\"end\",\"ts\":1}]}",
                        400, "records[0].seq"),
                ingest("unknown kind", "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"party\",\"ts\":1}]}", 400,
                        "records[0].kind"),
                ingest("empty product", "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"session_start\",\"ts\":1,"
                        + "\"product\":\"\",\"version\":\"1\"}]}", 400, "records[0].product"),
                ingest("one bad record among good ones", "{\"records\":[" + REC + "\"name\":\"ok\"}," + REC.replace(
                        "\"seq\":2", "\"seq\":3") + "\"name\":5}]}", 400, "records[1].name"),
                ingest("negative counter", "{\"sessions\":{\"" + SID + "\":{\"client_dropped\":-1}}}", 400,
                        "sessions." + SID + ".client_dropped"),
                ingest("deep nesting", "{\"records\":[" + REC + "\"name\":\"x\",\"data\":" + nested(100) + "}]}", 400,
                        null),
                ingest("NaN", "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"metric\",\"ts\":1,\"name\":\"m\","
                        + "\"value\":NaN}]}", 400, null),
                ingest("Infinity", "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"metric\",\"ts\":1,\"name\":\"m\","
                        + "\"value\":Infinity}]}", 400, null),
                ingest("1e999", "{\"records\":[{\"sid\":\"x\",\"seq\":1,\"kind\":\"metric\",\"ts\":1,\"name\":\"m\","
                        + "\"value\":1e999}]}", 400, "records[0].value"),
                ingest("1e999 in data", "{\"records\":[" + REC + "\"name\":\"x\",\"data\":{\"v\":1e999}}]}", 400,
                        "records[0]"),
                ingest("oversize body", hugeEvent(), 413, null),
                new Case("oversize gzip body", s -> s.postGzip("/api/ingest", hugeEvent()), 413, null),
                new Case("oversize chunked body", s -> s.send(HttpRequest.newBuilder(
                        URI.create(s.server().url() + "api/ingest")).POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(hugeEvent().getBytes(StandardCharsets.UTF_8))))
                        .build()), 413, null),
                new Case("invalid gzip", s -> s.postBytes("/api/ingest", "not gzip at all".getBytes(), "gzip"), 400,
                        null),
                new Case("unsupported encoding", s -> s.postBytes("/api/ingest", "{}".getBytes(), "br"), 400, null),
                post("create: product too long", "/api/sessions", "{\"product\":\"" + "p".repeat(200)
                        + "\",\"version\":\"1\"}", 400, "body.product"),
                post("state: not an object", session + "/state", "{\"state\": 5}", 400, "state"),
                post("state: malformed", session + "/state", "{\"state\": {", 400, null),
                post("state: deep nesting", session + "/state", "{\"state\":" + nested(80) + "}", 400, null),
                post("state: bad timestamp", session + "/state", "{\"state\":{},\"timestamp\":12}", 400, "timestamp"),
                post("event: name not a string", session + "/events", "{\"name\": 5}", 400, "body.name"),
                post("event: bad timestamp", session + "/events", "{\"name\":\"x\",\"timestamp\":\"soon\"}", 400,
                        "timestamp"),
                post("event: NaN", session + "/events", "{\"name\":\"x\",\"data\":{\"v\":NaN}}", 400, null),
                post("metric: value not a number", session + "/metrics", "{\"name\":\"m\",\"value\":\"abc\"}", 400,
                        "body.value"),
                post("metric: type not a text", session + "/metrics", "{\"name\":\"m\",\"value\":1,\"type\":5}",
                        400, "body.type"),
                post("crash: oversize", session + "/crash", "{\"reason\":\"" + "r".repeat(MAX_BODY) + "\"}", 413,
                        null),
                post("state: unknown session", "/api/sessions/nobody/state", "{\"a\":1}", 404, null),
                get("sessions: limit 0", "/api/sessions?limit=0", "limit"),
                get("sessions: limit abc", "/api/sessions?limit=abc", "limit"),
                get("sessions: limit too big", "/api/sessions?limit=501", "limit"),
                get("sessions: status", "/api/sessions?status=bogus", "status"),
                get("sessions: from", "/api/sessions?from=yesterday", "from"),
                get("sessions: from after to", "/api/sessions?from=20&to=10", "from"),
                get("sessions: cursor", "/api/sessions?cursor=garbage", "cursor"),
                get("sessions: product twice", "/api/sessions?product=a&product=b", "product"),
                get("events: level", session + "/events?level=loud", "level"),
                get("events: a sessions cursor", session + "/events?cursor=czoxOng", "cursor"),
                get("records: kind", session + "/records?kind=nope", "kind"),
                get("records export: kind", session + "/export?kind=nope", "kind"),
                get("sessions export: status", "/api/sessions/export?status=bogus", "status"),
                get("sessions export: limit", "/api/sessions/export?limit=5", "limit"),
                get("history: limit", session + "/state/history?limit=1000", "limit"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedAndChangesNothing(Case c) {
        long sessions = server.sessionCount();
        long records = server.recordCount();
        String before = server.get("/api/sessions/" + SID).body();

        HttpResponse<String> r = c.call().apply(server);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(c.status());
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct)
                .startsWith("application/json"));
        JsonNode error = json(r);
        assertThat(error.get("error").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        if (c.field() != null) {
            assertThat(error.get("field").asText()).isEqualTo(c.field());
        }
        assertThat(server.sessionCount()).isEqualTo(sessions);
        assertThat(server.recordCount()).isEqualTo(records);
        assertThat(withoutLastSeen(server.get("/api/sessions/" + SID).body())).isEqualTo(withoutLastSeen(before));
    }

    /** Sent over a plain socket: HttpClient refuses to send a bad percent-escape. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ' ', value = {
        "/api/sessions?product=50%off product",
        "/api/sessions?status=crashe%d status",
        "/api/sessions?limit=%ZZ limit",
        "/api/sessions?product=%FF%FE product",
        "/api/sessions?q=caf%C3 q",
        "/api/sessions/existing-session/timeline?kind=event%2 kind",
        "/api/sessions/export?event=%ZZ event",
        "/api/sessions/existing-session/series?name=fps&from=1%2G from",
        "/api/metrics?product=Game&na%ZZme=fps na%ZZme"})
    void aParameterThatIsNotValidlyPercentEncodedIsRefusedNamingIt(String target, String field) {
        TestServer.RawResponse r = server.getRaw(target);

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().get("content-type")).startsWith("application/json");
        JsonNode error = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(error.get("field").asText()).isEqualTo(field);
        assertThat(error.get("error").asText()).contains(field).contains("encoded");
    }

    @Test
    void wellEncodedParametersAreDecoded() {
        TestServer.RawResponse r = server.getRaw("/api/sessions?product=%47am%65&version=1%2E0&q=&status=");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode found = Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).get("sessions");
        assertThat(found).extracting(s -> s.get("id").asText()).containsExactly(SID);
        r = server.getRaw("/api/sessions?product=50%25+off");
        assertThat(Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).get("sessions")).isEmpty();
    }

    private static String withoutLastSeen(String sessionJson) {
        return sessionJson.replaceAll("\"(last_seen|updated_at)\":\"[^\"]*\"", "");
    }
}

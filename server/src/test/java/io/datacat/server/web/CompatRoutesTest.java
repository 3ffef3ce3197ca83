package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;
import io.datacat.server.testing.TestServer;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The compatible routes of COMPAT 1.3: paths, bodies and statuses existing clients rely on. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class CompatRoutesTest {
    @Parameter
    TestStores.Kind kind;
    private static final String OK = "{\"status\":\"ok\"}";

    private TestServer server;

    @BeforeAll
    void start(@TempDir Path dir) {
        server = TestServer.start(TestStores.location(kind, dir));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String createSession(String body) {
        HttpResponse<String> r = server.post("/api/sessions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        return json(r).get("session_id").asText();
    }

    private JsonNode session(String id) {
        HttpResponse<String> r = server.get("/api/sessions/" + id);
        assertThat(r.statusCode()).isEqualTo(200);
        return json(r);
    }

    private static void assertJson(HttpResponse<String> r, int status, String body) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct)
                .startsWith("application/json"));
        assertThat(json(r)).isEqualTo(Json.parse(body.getBytes()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PUT", "DELETE", "PATCH"})
    void healthAnswersAnyMethod(String method) {
        assertJson(server.method(method, "/health", null), 200,
                "{\"status\":\"healthy\",\"service\":\"datacat-server\",\"version\":\"0.1.0\"}");
    }

    @Test
    void createSessionAnswersOnlyANewUuidV4() {
        HttpResponse<String> r = server.post("/api/sessions",
                "{\"product\":\"Game\",\"version\":\"1.2\",\"machine_id\":\"m-1\",\"hostname\":\"box\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.size()).isEqualTo(1);
        assertThat(body.get("session_id").asText())
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"product\":\"Game\"}", "{\"product\":\"\",\"version\":\"1\"}",
            "{\"product\":\"Game\",\"version\":\"  \"}", "not json", "", "[1]", "{\"product\":7,\"version\":\"1\"}"})
    void createSessionNeedsProductAndVersion(String body) {
        long before = server.sessionCount();
        HttpResponse<String> r = server.post("/api/sessions", body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("Product and version are required fields");
        assertThat(server.sessionCount()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "DELETE", "PATCH"})
    void otherMethodsOnSessionsAreNotAllowed(String method) {
        assertJson(server.method(method, "/api/sessions", "{}"), 405, "{\"error\":\"Method not allowed\"}");
    }

    @Test
    void aNewSessionHasTheCompatibleShape() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1.2\",\"machine_id\":\"m-1\","
                + "\"hostname\":\"box\"}");
        JsonNode s = session(id);
        assertThat(s.get("id").asText()).isEqualTo(id);
        assertThat(s.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        assertThat(s.get("updated_at").asText()).isNotEmpty();
        assertThat(s.has("ended_at")).isFalse();
        assertThat(s.has("last_heartbeat")).isFalse();
        assertThat(s.get("active").asBoolean()).isTrue();
        assertThat(s.get("suspended").asBoolean()).isFalse();
        assertThat(s.get("crashed").asBoolean()).isFalse();
        assertThat(s.get("hung").asBoolean()).isFalse();
        assertThat(s.get("machine_id").asText()).isEqualTo("m-1");
        assertThat(s.get("hostname").asText()).isEqualTo("box");
        assertThat(s.get("state")).isEqualTo(Json.parse("{}".getBytes()));
        assertThat(s.get("state_history")).isEmpty();
        assertThat(s.get("events")).isEmpty();
        assertThat(s.get("metrics")).isEmpty();
        assertThat(s.get("product").asText()).isEqualTo("Game");
        assertThat(s.get("version").asText()).isEqualTo("1.2");
        assertThat(s.get("status").asText()).isEqualTo("active");
        assertThat(s.get("truncated")).isEmpty();
    }

    @Test
    void sessionDetailAcceptsATrailingSlashAndSaysWhenItIsUnknown() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertThat(server.get("/api/sessions/" + id + "/").statusCode()).isEqualTo(200);
        assertJson(server.get("/api/sessions/no-such-session"), 404, "{\"error\":\"Session not found\"}");
    }

    @Test
    void stateTakesTheWrapperOrAPlainObjectAndKeepsHistory() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/state",
                "{\"state\":{\"level\":1,\"player\":{\"hp\":10,\"mp\":3}},\"timestamp\":\"2026-01-02T03:04:05Z\"}"),
                200, OK);
        assertJson(server.post("/api/sessions/" + id + "/state", "{\"player\":{\"hp\":null,\"x\":[1,2]}}"), 200, OK);
        // an unchanged state still counts as an update
        assertJson(server.post("/api/sessions/" + id + "/state", "{\"state\":{}}"), 200, OK);

        JsonNode s = session(id);
        JsonNode expected = Json.parse("{\"level\":1,\"player\":{\"mp\":3,\"x\":[1,2]}}".getBytes());
        assertThat(s.get("state")).isEqualTo(expected);
        JsonNode history = s.get("state_history");
        assertThat(history).hasSize(3);
        assertThat(history.get(0).get("timestamp").asText()).isEqualTo("2026-01-02T03:04:05.000000Z");
        assertThat(history.get(0).get("state"))
                .isEqualTo(Json.parse("{\"level\":1,\"player\":{\"hp\":10,\"mp\":3}}".getBytes()));
        assertThat(history.get(2).get("state")).isEqualTo(expected);
    }

    @Test
    void aStateWithAnInvalidTimestampIsRefused() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        HttpResponse<String> r = server.post("/api/sessions/" + id + "/state",
                "{\"state\":{\"a\":1},\"timestamp\":\"yesterday\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).isEqualTo("timestamp");
        assertThat(session(id).get("state_history")).isEmpty();
    }

    @Test
    void eventsMapCategoryToLevelAndExceptionFieldsToAnException() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/events", "{\"name\":\"boot\",\"category\":\"warning\","
                + "\"group\":\"\",\"labels\":null,\"message\":\"\",\"data\":{\"ms\":12},\"stacktrace\":null,"
                + "\"exception_type\":\"\",\"source_line\":0,\"timestamp\":\"2026-01-02T03:04:05.5Z\"}"), 200, OK);
        assertJson(server.post("/api/sessions/" + id + "/events", "{\"name\":\"spawn\",\"category\":\"gameplay\","
                + "\"labels\":[\"a\",\"b\"]}"), 200, OK);
        assertJson(server.post("/api/sessions/" + id + "/events", "{\"name\":\"crashy\",\"category\":\"info\","
                + "\"exception_type\":\"ValueError\",\"exception_msg\":\"bad\",\"stacktrace\":[\"f1\",\"f2\"],"
                + "\"source_file\":\"game.py\",\"source_line\":12,\"source_function\":\"tick\"}"), 200, OK);

        JsonNode events = session(id).get("events");
        assertThat(events).hasSize(3);
        JsonNode boot = find(events, "boot");
        assertThat(boot.get("timestamp").asText()).isEqualTo("2026-01-02T03:04:05.500000Z");
        assertThat(boot.get("level").asText()).isEqualTo("warning");
        assertThat(boot.get("category").asText()).isEqualTo("warning");
        assertThat(boot.get("group").asText()).isEmpty();
        assertThat(boot.get("labels").isNull()).isTrue();
        assertThat(boot.get("data").get("ms").asInt()).isEqualTo(12);
        assertThat(boot.has("exception_type")).isFalse();
        assertThat(boot.has("source_line")).isFalse();

        JsonNode spawn = find(events, "spawn");
        assertThat(spawn.get("level").asText()).isEqualTo("info");
        assertThat(spawn.get("category").asText()).isEqualTo("gameplay");
        assertThat(spawn.get("data").isNull()).isTrue();

        JsonNode crashy = find(events, "crashy");
        assertThat(crashy.get("kind").asText()).isEqualTo("exception");
        assertThat(crashy.get("level").asText()).isEqualTo("error");
        assertThat(crashy.get("category").asText()).isEqualTo("error");
        assertThat(crashy.get("exception_type").asText()).isEqualTo("ValueError");
        assertThat(crashy.get("stacktrace")).hasSize(2);
        assertThat(crashy.get("source_line").asInt()).isEqualTo(12);
    }

    private static JsonNode find(JsonNode events, String name) {
        for (JsonNode e : events) {
            if (e.get("name").asText().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no event " + name + " in " + events);
    }

    @Test
    void theCompatibleHangEventsSetAndClearHung() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        server.post("/api/sessions/" + id + "/events", "{\"name\":\"application_appears_hung\"}");
        assertThat(session(id).get("hung").asBoolean()).isTrue();
        assertThat(session(id).get("hang_count").asInt()).isEqualTo(1);
        server.post("/api/sessions/" + id + "/events", "{\"name\":\"application_recovered\"}");
        assertThat(session(id).get("hung").asBoolean()).isFalse();
    }

    /** What the original server accepted, so that an old client does not fail. */
    @Test
    void emptyNamesAndUnknownMetricTypesAreAccepted() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/events", "{\"name\":\"\"}"), 200, OK);
        assertJson(server.post("/api/sessions/" + id + "/metrics", "{\"name\":\"tick_rate\",\"type\":\"rate\","
                + "\"value\":30}"), 200, OK);
        JsonNode s = session(id);
        assertThat(s.get("events").get(0).get("name").asText()).isEqualTo("(unnamed)");
        JsonNode rate = s.get("metrics").get(0);
        assertThat(rate.get("type").asText()).isEqualTo("gauge");
        assertThat(rate.get("metadata").get("type").asText()).isEqualTo("rate");
    }

    /** The old Go daemon sends its own events with Go's zero time (it sets none). */
    @Test
    void theGoDaemonsEventsWithTheZeroTimeAreStoredAtTheTimeTheyArrive() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        long before = Timestamps.nowMicros();
        assertJson(server.post("/api/sessions/" + id + "/events", "{\"name\":\"application_appears_hung\","
                + "\"category\":\"warning\",\"timestamp\":\"0001-01-01T00:00:00Z\",\"data\":{}}"), 200, OK);
        JsonNode s = session(id);
        assertThat(s.get("hung").asBoolean()).isTrue();
        JsonNode event = s.get("events").get(0);
        assertThat(Timestamps.parse(event.get("timestamp").asText(), "timestamp")).isBetween(before,
                Timestamps.nowMicros());
    }

    @Test
    void metricsDefaultToGauge() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/metrics", "{\"name\":\"fps\",\"value\":59.5,\"unit\":\"\","
                + "\"tags\":null}"), 200, OK);
        assertJson(server.post("/api/sessions/" + id + "/metrics", "{\"name\":\"kills\",\"type\":\"counter\","
                + "\"value\":12,\"timestamp\":\"2026-01-02T03:04:05Z\"}"), 200, OK);

        JsonNode metrics = session(id).get("metrics");
        assertThat(metrics).hasSize(2);
        JsonNode kills = metrics.get(0);
        assertThat(kills.get("name").asText()).isEqualTo("kills");
        assertThat(kills.get("type").asText()).isEqualTo("counter");
        assertThat(kills.get("cumulative").asBoolean()).isTrue();
        JsonNode fps = metrics.get(1);
        assertThat(fps.get("type").asText()).isEqualTo("gauge");
        assertThat(fps.get("value").asDouble()).isEqualTo(59.5);
        assertThat(fps.has("unit")).isFalse();
    }

    /**
     * The original daemon's histogram: running totals in metadata, its last bucket also holding
     * the samples above its bound. Two snapshots: 10 samples, then 10 more.
     */
    @Test
    void theGoDaemonsHistogramSnapshotsAreReadAsRunningTotals() throws Exception {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        String first = "{\"name\":\"ft\",\"type\":\"histogram\",\"value\":0.059,\"metadata\":{\"buckets\":["
                + "{\"le\":0.008,\"count\":0},{\"le\":0.016,\"count\":9},{\"le\":0.033,\"count\":0},"
                + "{\"le\":60,\"count\":1}],\"sum\":0.59,\"count\":10,\"scene\":\"intro\"}}";
        String second = "{\"name\":\"ft\",\"type\":\"histogram\",\"value\":0.03,\"metadata\":{\"buckets\":["
                + "{\"le\":0.008,\"count\":0},{\"le\":0.016,\"count\":18},{\"le\":0.033,\"count\":1},"
                + "{\"le\":60,\"count\":1}],\"sum\":0.6,\"count\":20}}";
        assertJson(server.post("/api/sessions/" + id + "/metrics", first), 200, OK);
        assertJson(server.post("/api/sessions/" + id + "/metrics", second), 200, OK);

        JsonNode stored = session(id).get("metrics").get(0);
        assertThat(stored.get("count").asLong()).isEqualTo(10);
        assertThat(stored.get("cumulative").asBoolean()).isTrue();
        assertThat(stored.at("/buckets/3/le").asText()).as("the last bucket holds what lies above").isEqualTo("+Inf");
        assertThat(stored.at("/metadata/scene").asText()).isEqualTo("intro");
        assertThat(stored.at("/metadata/last_le").asDouble()).isEqualTo(60);

        HttpResponse<String> r = server.get("/api/sessions/" + id + "/series?name=ft");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode summary = Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).at("/series/0/summary");
        assertThat(summary.get("count").asLong()).as("20 samples, not 2, nor 30").isEqualTo(20);
        assertThat(summary.get("sum").asDouble()).isCloseTo(0.6, within(1e-9));
        // 18 of the 20 samples lie in (0.008, 0.016].
        assertThat(summary.get("p50").asDouble()).isBetween(0.008, 0.016);
        assertThat(summary.get("p95").asDouble()).isBetween(0.016, 0.033);
    }

    private JsonNode seriesSummary(String id, String name) {
        HttpResponse<String> r = server.get("/api/sessions/" + id + "/series?name=" + name);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).at("/series/0/summary");
    }

    private static String goHistogram(String name, double sum, long count, String buckets) {
        return "{\"name\":\"" + name + "\",\"type\":\"histogram\",\"value\":" + (sum / count)
                + ",\"metadata\":{\"buckets\":[" + buckets + "],\"sum\":" + sum + ",\"count\":" + count + "}}";
    }

    /** The original daemon keeps one histogram per bucket list: two lists of one name are two running totals. */
    @Test
    void goHistogramsOfOneNameWithTwoBucketListsAreTwoRunningTotals() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        String small = "{\"le\":1,\"count\":%d},{\"le\":2,\"count\":0},{\"le\":5,\"count\":0},{\"le\":10,\"count\":0}";
        String wide = "{\"le\":1,\"count\":0},{\"le\":10,\"count\":3},{\"le\":100,\"count\":0}";
        for (long count : new long[] {10, 12, 12}) {
            assertJson(server.post("/api/sessions/" + id + "/metrics",
                    goHistogram("h", count * 0.5, count, String.format(small, count))), 200, OK);
            assertJson(server.post("/api/sessions/" + id + "/metrics", goHistogram("h", 15, 3, wide)), 200, OK);
        }
        assertThat(seriesSummary(id, "h").get("count").asLong()).isEqualTo(12 + 3);
    }

    @Test
    void aGoHistogramSnapshotOfNoSamplesYetIsNoSample() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/metrics",
                "{\"name\":\"empty\",\"type\":\"histogram\",\"value\":0,\"metadata\":{\"buckets\":["
                        + "{\"le\":1,\"count\":0},{\"le\":10,\"count\":0}],\"sum\":0,\"count\":0}}"), 200, OK);
        assertJson(server.post("/api/sessions/" + id + "/metrics", goHistogram("empty", 1, 2,
                "{\"le\":1,\"count\":2},{\"le\":10,\"count\":0}")), 200, OK);
        JsonNode summary = seriesSummary(id, "empty");
        assertThat(summary.get("count").asLong()).isEqualTo(2);
        assertThat(summary.get("sum").asDouble()).isEqualTo(1.0);
    }

    /** Lists that differ only in their last bound, which becomes +Inf when stored, stay two totals. */
    @Test
    void goHistogramsWhoseListsDifferOnlyInTheirTopBoundAreTwoRunningTotals() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        for (long k = 1; k <= 3; k++) {
            assertJson(server.post("/api/sessions/" + id + "/metrics", goHistogram("top", 3 * k, 3 * k,
                    "{\"le\":0.1,\"count\":" + k + "},{\"le\":1,\"count\":" + k + "},{\"le\":10,\"count\":" + k + "}")),
                    200, OK);
            assertJson(server.post("/api/sessions/" + id + "/metrics", goHistogram("top", 40 * k, 2 * k,
                    "{\"le\":0.1,\"count\":0},{\"le\":1,\"count\":" + k + "},{\"le\":100,\"count\":" + k + "}")),
                    200, OK);
        }
        JsonNode summary = seriesSummary(id, "top");
        assertThat(summary.get("count").asLong()).isEqualTo(9 + 6);
        assertThat(summary.get("sum").asDouble()).isCloseTo(9 + 120, within(1e-9));
        assertThat(summary.get("min").asDouble()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void aGoHistogramWhoseSamplesAllLieAboveItsOneBoundKeepsAFiniteRange() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/metrics",
                goHistogram("one", 2, 4, "{\"le\":1,\"count\":4}")), 200, OK);
        assertJson(server.post("/api/sessions/" + id + "/metrics",
                goHistogram("above", 150, 3, "{\"le\":1,\"count\":0},{\"le\":10,\"count\":0},{\"le\":100,\"count\":3}")),
                200, OK);
        JsonNode one = seriesSummary(id, "one");
        assertThat(one.get("max").isNumber()).as(one.toString()).isTrue();
        assertThat(one.get("max").asDouble()).isGreaterThanOrEqualTo(0.5);
        // Its last bucket also holds what lies above its bound: the samples lie above 10, 50 on average.
        JsonNode above = seriesSummary(id, "above");
        assertThat(above.get("max").asDouble()).isGreaterThanOrEqualTo(50);
        assertThat(above.get("p50").asDouble()).isBetween(10.0, above.get("max").asDouble());
    }

    /** Snapshots the protocol would refuse are kept as one sample, as before, never answered 400. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"le\":1,\"count\":1},{\"le\":1,\"count\":1}",
            "{\"le\":2,\"count\":1},{\"le\":1,\"count\":1}", "{\"le\":1,\"count\":-1},{\"le\":2,\"count\":3}"})
    void goHistogramSnapshotsTheProtocolRefusesAreStillTaken(String buckets) {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/metrics", goHistogram("odd", 2, 2, buckets)), 200, OK);
        assertThat(session(id).get("metrics")).hasSize(1);
    }

    @Test
    void hugeOrOverflowingGoHistogramSnapshotsAreStillTaken() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 300; i++) {
            many.append(i > 1 ? "," : "").append("{\"le\":").append(i).append(",\"count\":1}");
        }
        assertJson(server.post("/api/sessions/" + id + "/metrics", goHistogram("many", 300, 300, many.toString())),
                200, OK);
        assertJson(server.post("/api/sessions/" + id + "/metrics", "{\"name\":\"big\",\"type\":\"histogram\","
                + "\"value\":1e308,\"metadata\":{\"buckets\":[{\"le\":1,\"count\":2}],\"count\":2}}"), 200, OK);
        assertThat(session(id).get("metrics")).hasSize(2);
    }

    @Test
    void aTimersCountIsTheCallersTallyNotANumberOfSamples() throws Exception {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/metrics",
                "{\"name\":\"tm\",\"type\":\"timer\",\"value\":0.2,\"count\":5}"), 200, OK);
        JsonNode stored = session(id).get("metrics").get(0);
        assertThat(stored.has("count")).isFalse();
        assertThat(stored.at("/metadata/count").asInt()).isEqualTo(5);
        HttpResponse<String> r = server.get("/api/sessions/" + id + "/series?name=tm");
        JsonNode summary = Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).at("/series/0/summary");
        assertThat(summary.get("count").asLong()).isEqualTo(1);
        assertThat(summary.get("sum").asDouble()).isEqualTo(0.2);
    }

    @Test
    void heartbeatSetsLastHeartbeat() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/heartbeat", "{}"), 200, OK);
        assertThat(session(id).get("last_heartbeat").asText()).isNotEmpty();
        assertThat(session(id).get("active").asBoolean()).isTrue();
    }

    @Test
    void endEndsTheSession() {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/end", "ignored"), 200, OK);
        JsonNode s = session(id);
        assertThat(s.get("active").asBoolean()).isFalse();
        assertThat(s.get("crashed").asBoolean()).isFalse();
        assertThat(s.get("status").asText()).isEqualTo("ended");
        assertThat(s.get("ended_at").asText()).isNotEmpty();
        // operations on an ended session are accepted, but ended stays ended
        assertJson(server.post("/api/sessions/" + id + "/crash", "{\"reason\":\"late\"}"), 200, OK);
        assertThat(session(id).get("status").asText()).isEqualTo("ended");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"reason\":\"segfault\"}|segfault",
            "''|abnormal_termination",
            "not json|abnormal_termination",
            "{}|abnormal_termination"})
    void crashKeepsTheReasonOrSaysAbnormalTermination(String body, String reason) {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        assertJson(server.post("/api/sessions/" + id + "/crash", body), 200, OK);
        JsonNode s = session(id);
        assertThat(s.get("crashed").asBoolean()).isTrue();
        assertThat(s.get("active").asBoolean()).isFalse();
        assertThat(s.get("status").asText()).isEqualTo("crashed");
        assertThat(s.get("crash_reason").asText()).isEqualTo(reason);
        assertThat(s.get("ended_at").asText()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"state", "events", "metrics", "heartbeat", "end", "crash"})
    void operationsOnAnUnknownSessionAreNotFound(String op) {
        long sessions = server.sessionCount();
        long records = server.recordCount();
        assertJson(server.post("/api/sessions/no-such-session/" + op, "{\"name\":\"x\",\"value\":1}"), 404,
                "{\"error\":\"session not found\"}");
        assertThat(server.sessionCount()).isEqualTo(sessions);
        assertThat(server.recordCount()).isEqualTo(records);
    }

    @ParameterizedTest
    @CsvSource({"GET,/api/sessions//state", "POST,/api/sessions//events", "POST,/api/sessions//"})
    void anEmptySessionIdIsRequired(String method, String path) {
        assertJson(server.method(method, path, "{}"), 400, "{\"error\":\"Session ID required\"}");
    }

    @ParameterizedTest
    @CsvSource({"GET,end", "GET,heartbeat", "PUT,state", "DELETE,events", "GET,a/b/c", "POST,''"})
    void otherOperationsUnderASessionAreNotFound(String method, String op) {
        String id = createSession("{\"product\":\"Game\",\"version\":\"1\"}");
        String path = "/api/sessions/" + id + (op.isEmpty() ? "" : "/" + op);
        assertJson(server.method(method, path, "{}"), 404, "{\"error\":\"Not found\"}");
    }

    @Test
    void dataSessionsListsEverySessionWithItsState() {
        String id = createSession("{\"product\":\"Export\",\"version\":\"9\"}");
        server.post("/api/sessions/" + id + "/state", "{\"state\":{\"k\":\"v\"}}");
        HttpResponse<String> r = server.get("/api/data/sessions");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode all = json(r);
        assertThat(all.isArray()).isTrue();
        assertThat(all.size()).isEqualTo(server.sessionCount());
        JsonNode mine = null;
        for (JsonNode s : all) {
            if (s.get("id").asText().equals(id)) {
                mine = s;
            }
        }
        assertThat(mine).isNotNull();
        assertThat(mine.get("state").get("k").asText()).isEqualTo("v");
        assertThat(mine.get("active").asBoolean()).isTrue();
        assertThat(mine.has("events")).isFalse();

        assertJson(server.post("/api/data/sessions", "{}"), 405, "{\"error\":\"Method not allowed\"}");
    }
}

package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.Timestamps;
import io.datacat.server.query.SessionQueries;
import io.datacat.server.testing.ServerPerStoreTest;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.datacat.server.testing.TestRecords.T0;
import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.crash;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.metric;
import static io.datacat.server.testing.TestRecords.record;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestRecords.state;
import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Batch ingest and the query routes, over HTTP against a fresh server each time. */
class IngestAndQueryRoutesTest extends ServerPerStoreTest {
    private JsonNode ingest(ObjectNode... records) {
        HttpResponse<String> r = server.post("/api/ingest", batchJson(records).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private JsonNode getOk(String path) {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    @Test
    void ingestAnswersAcceptedAndDuplicates() {
        String body = batchJson(start("s1", 1, "Game", "1.0"), event("s1", 2, "boot", "info"),
                metric("s1", 3, "fps", 60)).toString();

        assertThat(json(server.post("/api/ingest", body)))
                .isEqualTo(Json.parse("{\"status\":\"ok\",\"accepted\":3,\"duplicates\":0}".getBytes()));
        assertThat(json(server.post("/api/ingest", body)))
                .isEqualTo(Json.parse("{\"status\":\"ok\",\"accepted\":0,\"duplicates\":3}".getBytes()));
        assertThat(server.recordCount()).isEqualTo(3);
    }

    @Test
    void ingestTakesGzip() {
        String body = batchJson(start("gz", 1, "Game", "1.0"), event("gz", 2, "boot", "info")).toString();
        HttpResponse<String> r = server.postGzip("/api/ingest", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("accepted").asInt()).isEqualTo(2);
        assertThat(getOk("/api/sessions/gz").get("product").asText()).isEqualTo("Game");
    }

    @Test
    void aFullSizeBatchOfSeveralMegabytesIsAccepted() {
        List<ObjectNode> records = new ArrayList<>();
        records.add(start("full", 1, "Game", "1.0"));
        for (int i = 2; i <= Limits.MAX_RECORDS_PER_BATCH; i++) {
            records.add(event("full", i, "tick", "info").put("message", "x".repeat(100)));
        }
        String body = batchJson(records.toArray(new ObjectNode[0])).toString();
        assertThat(body.length()).isGreaterThan(2_000_000);

        HttpResponse<String> r = server.post("/api/ingest", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("accepted").asInt()).isEqualTo(Limits.MAX_RECORDS_PER_BATCH);
    }

    @Test
    void ingestWithCountersShowsThemOnTheSession() {
        ObjectNode batch = batchJson(start("c1", 1, "Game", "1.0"));
        batch.putObject("sessions").putObject("c1").put("client_dropped", 12).put("spool_evicted", 3)
                .put("last_heartbeat", T0 + 500);
        assertThat(server.post("/api/ingest", batch.toString()).statusCode()).isEqualTo(200);

        JsonNode s = getOk("/api/sessions/c1");
        assertThat(s.get("client_dropped").asLong()).isEqualTo(12);
        assertThat(s.get("spool_evicted").asLong()).isEqualTo(3);
        assertThat(s.get("last_heartbeat").asText()).isEqualTo(Timestamps.format(T0 + 500));
    }

    @Test
    void sessionsAreListedNewestFirstInPages() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String sid = "page-" + i;
            // same created_at for two sessions: the id breaks the tie
            ObjectNode s = start(sid, 1, "Game", "1.0").put("ts", T0 + (i / 2) * 1_000_000L);
            ingest(s);
            expected.add(sid);
        }
        expected.sort((a, b) -> {
            long ta = T0 + (Integer.parseInt(a.substring(5)) / 2) * 1_000_000L;
            long tb = T0 + (Integer.parseInt(b.substring(5)) / 2) * 1_000_000L;
            return ta != tb ? Long.compare(tb, ta) : b.compareTo(a);
        });

        List<String> seen = server.walk("/api/sessions?limit=3", "sessions", s -> s.get("id").asText());
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void sessionsCanBeFiltered() {
        ingest(start("a-active", 1, "Alpha", "1.0").put("ts", T0));
        ingest(start("a-ended", 1, "Alpha", "1.0").put("ts", T0 + 1_000_000), end("a-ended", 2));
        ingest(start("a-crashed", 1, "Alpha", "2.0").put("ts", T0 + 2_000_000), crash("a-crashed", 2, "killed"));
        ingest(start("b-hung", 1, "Beta", "1.0").put("ts", T0 + 3_000_000),
                record("b-hung", 2, "hang").put("src", "daemon"), event("b-hung", 3, "level_failed", "warning"));

        assertThat(ids("/api/sessions?product=Alpha")).containsExactly("a-crashed", "a-ended", "a-active");
        assertThat(ids("/api/sessions?product=Alpha&version=1.0")).containsExactly("a-ended", "a-active");
        assertThat(ids("/api/sessions?version=1.0")).containsExactly("b-hung", "a-ended", "a-active");
        assertThat(ids("/api/sessions?status=active")).containsExactly("b-hung", "a-active");
        assertThat(ids("/api/sessions?status=ended")).containsExactly("a-ended");
        assertThat(ids("/api/sessions?status=crashed")).containsExactly("a-crashed");
        assertThat(ids("/api/sessions?status=hung")).containsExactly("b-hung");
        assertThat(ids("/api/sessions?status=abnormal")).isEmpty();
        assertThat(ids("/api/sessions?from=" + (T0 + 1_000_000) + "&to=" + (T0 + 3_000_000)))
                .containsExactly("a-crashed", "a-ended");
        String from = URLEncoder.encode(Timestamps.format(T0 + 2_000_000), StandardCharsets.UTF_8);
        assertThat(ids("/api/sessions?from=" + from)).containsExactly("b-hung", "a-crashed");
        assertThat(ids("/api/sessions?event=level_failed")).containsExactly("b-hung");
        assertThat(ids("/api/sessions?product=Gamma")).isEmpty();
    }

    @Test
    void stateScopeIsCheckedWhetherOrNotAStateKeyIsGiven() {
        ingest(start("lv", 1, "Game", "1.0"), state("lv", 2, "{\"level\":1}"), state("lv", 3, "{\"level\":2}"));
        assertThat(ids("/api/sessions?state_key=level&state_value=1&state_scope=ever")).containsExactly("lv");
        assertThat(ids("/api/sessions?state_key=level&state_value=1&state_scope=now")).isEmpty();

        for (String route : List.of("/api/sessions", "/api/sessions/export")) {
            for (String query : List.of("state_scope=xyz", "state_scope=sometimes",
                    "state_key=level&state_value=1&state_scope=sometimes")) {
                assertRefused(route + "?" + query, "state_scope", "state_scope must be now or ever, got '");
            }
            for (String scope : List.of("now", "ever")) {
                assertRefused(route + "?state_scope=" + scope, "state_scope", "state_scope needs state_key and "
                        + "state_value");
            }
        }
        // Keywords of any length get the answer that lists the valid ones, not a "longer than".
        assertRefused("/api/sessions?sort=oldest_first_please", "sort", "sort must be newest or oldest");
        assertRefused("/api/sessions?status=crashed_or_ended", "status", "status must be active");
    }

    @Test
    void aStateKeyWithAQuoteOrABackslashIsFilteredOnInEitherScope() {
        ingest(start("odd", 1, "Game", "1.0"), state("odd", 2, "{\"c\\\\d\":3,\"say \\\"hi\\\"\":{\"to\":\"you\"}}"));
        ingest(start("plain", 1, "Game", "1.0"), state("plain", 2, "{\"cd\":3,\"to\":\"you\"}"));
        for (String scope : List.of("now", "ever")) {
            assertThat(ids("/api/sessions?state_key=" + encode("c\\\\d") + "&state_value=3&state_scope=" + scope))
                    .as(scope).containsExactly("odd");
            assertThat(ids("/api/sessions?state_key=" + encode("say \"hi\".to") + "&state_value=you&state_scope="
                    + scope)).as(scope).containsExactly("odd");
        }
        assertRefused("/api/sessions?state_key=" + encode("a..b") + "&state_value=1", "state_key",
                "state_key is a path of keys");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private void assertRefused(String path, String field, String error) {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).as(path).isEqualTo(field);
        assertThat(json(r).get("error").asText()).as(path).startsWith(error);
    }

    private List<String> ids(String path) {
        List<String> ids = new ArrayList<>();
        getOk(path).get("sessions").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Test
    void aSummaryCarriesStatusCountsAndCrashDetail() {
        ObjectNode c = crash("sum", 4, "uncaught_exception").put("message", "boom");
        c.putObject("detail").put("exception_type", "NPE");
        ingest(start("sum", 1, "Game", "1.0"), event("sum", 2, "e", "info"), metric("sum", 3, "m", 1), c);

        JsonNode s = getOk("/api/sessions?product=Game").get("sessions").get(0);
        assertThat(s.get("id").asText()).isEqualTo("sum");
        assertThat(s.get("status").asText()).isEqualTo("crashed");
        assertThat(s.get("crash_reason").asText()).isEqualTo("uncaught_exception");
        assertThat(s.get("crash_detail")).isEqualTo(Json.parse("{\"message\":\"boom\",\"exception_type\":\"NPE\"}"
                .getBytes()));
        assertThat(s.get("ended_at").asText()).isEqualTo(Timestamps.format(T0 + 4));
        assertThat(s.get("counts")).isEqualTo(Json.parse(
                "{\"records\":4,\"events\":1,\"exceptions\":0,\"metrics\":1,\"states\":0}".getBytes()));
        assertThat(s.get("pid").asLong()).isEqualTo(4242);
        assertThat(s.get("client").asText()).isEqualTo("java/0.1.0");
        assertThat(s.has("state")).isFalse();
    }

    @Test
    void eventsArePagedInTimeOrderAndFiltered() {
        List<ObjectNode> records = new ArrayList<>();
        records.add(start("ev", 1, "Game", "1.0"));
        for (int i = 2; i <= 251; i++) {
            String level = i % 10 == 0 ? "error" : "info";
            // times run backwards against seq, so time order is not seq order
            records.add(event("ev", i, i % 2 == 0 ? "even" : "odd", level).put("ts", T0 + 10_000 - i));
        }
        ObjectNode exception = record("ev", 252, "exception").put("exception_type", "NPE").put("ts", T0 + 1);
        records.add(exception);
        records.add(metric("ev", 253, "fps", 60));
        ingest(records.toArray(new ObjectNode[0]));

        List<Long> seqs = server.walk("/api/sessions/ev/events?limit=100", "events", e -> e.get("seq").asLong());
        assertThat(seqs).hasSize(251);
        assertThat(seqs.get(0)).isEqualTo(252L); // the exception is the earliest
        List<Long> times = server.walk("/api/sessions/ev/events?limit=100", "events", e -> e.get("ts").asLong());
        assertThat(times).isSorted();

        JsonNode errors = getOk("/api/sessions/ev/events?level=error,critical&limit=1000");
        assertThat(errors.get("events")).hasSize(26); // 25 error events and the exception
        errors.get("events").forEach(e -> assertThat(e.get("level").asText()).isEqualTo("error"));
        assertThat(errors.get("next_cursor").isNull()).isTrue();

        JsonNode odd = getOk("/api/sessions/ev/events?name=odd&limit=1000");
        assertThat(odd.get("events")).hasSize(125);
        JsonNode first = odd.get("events").get(0);
        assertThat(first.get("kind").asText()).isEqualTo("event");
        assertThat(first.get("src").asText()).isEqualTo("app");
        assertThat(first.get("timestamp").asText()).isEqualTo(Timestamps.format(first.get("ts").asLong()));
    }

    @Test
    void metricsAndRecordsArePaged() {
        ingest(start("mr", 1, "Game", "1.0"), metric("mr", 2, "fps", 60), metric("mr", 3, "mem", 100),
                metric("mr", 4, "fps", 58), event("mr", 5, "boot", "info"), state("mr", 6, "{\"a\":1}"),
                end("mr", 7));

        assertThat(getOk("/api/sessions/mr/metrics").get("metrics")).hasSize(3);
        JsonNode fps = getOk("/api/sessions/mr/metrics?name=fps").get("metrics");
        assertThat(fps).hasSize(2);
        assertThat(fps.get(1).get("value").asDouble()).isEqualTo(58);

        List<String> kinds = server.walk("/api/sessions/mr/records?limit=2", "records", r -> r.get("kind").asText());
        assertThat(kinds).containsExactly("session_start", "metric", "metric", "metric", "event", "state", "end");
        assertThat(server.walk("/api/sessions/mr/records?kind=state,end&limit=1", "records",
                r -> r.get("seq").asLong())).containsExactly(6L, 7L);
    }

    @Test
    void stateAndItsHistoryArePaged() {
        List<ObjectNode> records = new ArrayList<>();
        records.add(start("st", 1, "Game", "1.0"));
        for (int i = 2; i <= 8; i++) {
            records.add(state("st", i, "{\"step\":" + i + ",\"s" + i + "\":true}"));
        }
        ingest(records.toArray(new ObjectNode[0]));

        JsonNode state = getOk("/api/sessions/st/state").get("state");
        assertThat(state.get("step").asInt()).isEqualTo(8);
        assertThat(state.size()).isEqualTo(8);

        List<JsonNode> history = server.walk("/api/sessions/st/state/history?limit=3", "history", h -> h);
        assertThat(history).hasSize(7);
        for (int i = 0; i < history.size(); i++) {
            JsonNode h = history.get(i);
            assertThat(h.get("seq").asLong()).isEqualTo(i + 2);
            assertThat(h.get("patch").get("step").asInt()).isEqualTo(i + 2);
            assertThat(h.get("state").size()).isEqualTo(i + 2); // step plus one flag per patch so far
        }
    }

    @Test
    void theFullSessionEmbedsOnlyTheLatestEntriesAndSaysSo() {
        int events = SessionQueries.EMBEDDED_MAX + 5;
        List<ObjectNode> records = new ArrayList<>();
        records.add(start("big", 1, "Game", "1.0"));
        for (int i = 0; i < events; i++) {
            records.add(event("big", i + 2, "tick", "info"));
        }
        ingest(records.toArray(new ObjectNode[0]));

        JsonNode s = getOk("/api/sessions/big");
        ArrayNode embedded = (ArrayNode) s.get("events");
        assertThat(embedded).hasSize(SessionQueries.EMBEDDED_MAX);
        assertThat(embedded.get(embedded.size() - 1).get("seq").asLong()).isEqualTo(events + 1);
        assertThat(s.get("truncated").get("events")).isEqualTo(Json.parse(("{\"shown\":1000,\"total\":" + events
                + ",\"route\":\"/api/sessions/big/events\"}").getBytes()));
        assertThat(s.get("truncated").has("metrics")).isFalse();
    }

    @Test
    void queryRoutesOfAnUnknownSessionAreNotFound() {
        for (String route : List.of("events", "metrics", "records", "state", "state/history")) {
            HttpResponse<String> r = server.get("/api/sessions/nobody/" + route);
            assertThat(r.statusCode()).as(route).isEqualTo(404);
            assertThat(json(r).get("error").asText()).isEqualTo("session not found");
        }
    }
}

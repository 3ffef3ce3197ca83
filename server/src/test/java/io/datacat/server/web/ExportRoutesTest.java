package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.server.query.QueryParams;
import io.datacat.server.query.RecordQueries;
import io.datacat.server.query.SessionQueries;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.testing.ForwardingStore;
import io.datacat.server.testing.ServerPerStoreTest;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.datacat.server.testing.TestRecords.T0;
import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.crash;
import static io.datacat.server.testing.TestRecords.daemon;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.metric;
import static io.datacat.server.testing.TestRecords.record;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestRecords.state;
import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The NDJSON exports of a session's records and of the sessions list, over HTTP against a fresh server. */
class ExportRoutesTest extends ServerPerStoreTest {
    private static final String SID = "5f1c2d3e-9a7b-4c1d-8e2f-0123456789ab";

    private void ingest(ObjectNode... records) {
        HttpResponse<String> r = server.post("/api/ingest", batchJson(records).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** The lines of an NDJSON answer, each parsed as one JSON document (which fails on a second value). */
    private static List<JsonNode> lines(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct.toLowerCase())
                .startsWith("application/x-ndjson").contains("charset=utf-8"));
        String body = r.body();
        List<JsonNode> out = new ArrayList<>();
        if (body.isEmpty()) {
            return out;
        }
        assertThat(body).endsWith("\n");
        for (String line : body.substring(0, body.length() - 1).split("\n", -1)) {
            out.add(Json.parse(line.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /**
     * A session of {@code n} app records of every common kind with times out of seq order, plus
     * daemon records at the same times as some app records (src breaks those ties).
     */
    private void ingestLongSession(String product, int n) {
        List<ObjectNode> records = new ArrayList<>();
        records.add(start(SID, 1, product, "1.0").put("ts", T0));
        for (int seq = 2; seq <= n; seq++) {
            ObjectNode r = switch (seq % 10) {
                case 0 -> state(SID, seq, "{\"level\":" + seq + "}");
                case 3, 6 -> event(SID, seq, "tick", seq % 3 == 0 ? "info" : "warning");
                default -> metric(SID, seq, "fps", seq % 60);
            };
            records.add(r.put("ts", T0 + 1 + (seq * 7919L % n) * 10));
        }
        for (int seq = 1; seq <= 50; seq++) {
            records.add(daemon(event(SID, seq, "daemon_note", "info")).put("ts", T0 + 1 + seq * 10L));
        }
        ingest(records.toArray(new ObjectNode[0]));
    }

    @Test
    void aSessionsExportIsEveryRecordAsTheRecordsRouteGivesItInItsOrderOverSeveralChunks() {
        int n = RecordQueries.EXPORT_CHUNK * 2 + 500;
        ingestLongSession("Space Game/Ü\"1", n);

        HttpResponse<String> r = server.get("/api/sessions/" + SID + "/export");

        List<JsonNode> exported = lines(r);
        assertThat(exported).hasSize(n + 50)
                .containsExactlyElementsOf(server.walk("/api/sessions/" + SID + "/records?limit=1000", "records",
                        item -> item));
        assertThat(r.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"Space_Game___1-5f1c2d3e.ndjson\"");
    }

    @Test
    void aSessionsExportReadsTheStoreAChunkAtATime() throws Exception {
        ingestLongSession("Game", RecordQueries.EXPORT_CHUNK * 2 + 500);
        AtomicInteger reads = new AtomicInteger();
        ForwardingStore counting = new ForwardingStore(server.server().store()) {
            @Override
            public <T> T read(Work<T, ReadTransaction> work) {
                reads.incrementAndGet();
                return super.read(work);
            }
        };

        new RecordQueries(counting).export(SID, QueryParams.parse(null)).writeTo(OutputStream.nullOutputStream());

        // The session, then chunks of at most 1,000 records per stream, each in a read of its
        // own: 1,785 metrics (1,000 in the first chunk) make at least two.
        assertThat(reads.get()).isBetween(3, 4);
    }

    @Test
    void kindFiltersTheExportAsItFiltersTheRecordsRoute() {
        ingest(start("k", 1, "Game", "1.0"), event("k", 2, "boot", "info"), metric("k", 3, "fps", 60),
                state("k", 4, "{\"level\":1}"), record("k", 5, "exception").put("name", "boom").put("level", "error"),
                metric("k", 6, "fps", 58), end("k", 7));

        for (String kinds : List.of("kind=event,state", "kind=metric&kind=end", "kind=session_start")) {
            assertThat(lines(server.get("/api/sessions/k/export?" + kinds))).as(kinds)
                    .isNotEmpty()
                    .containsExactlyElementsOf(server.walk("/api/sessions/k/records?limit=1000&" + kinds, "records",
                            item -> item));
        }
        assertThat(lines(server.get("/api/sessions/k/export?kind=crash"))).isEmpty();
    }

    @Test
    void aRecordWithNewlinesAndUnicodeInItsStringsStaysOneLine() {
        String message = "first line\nsecond line\r\n\ttabbed \u2028 \u2029 Grüße 日本 😀 \"quoted\" \\ end";
        ObjectNode ev = event("uni", 2, "note\nwith newline", "info").put("message", message);
        ev.putObject("data").put("multi\nline key", "value\nover\nlines");
        ingest(start("uni", 1, "Ünïcode Game", "1.0"), ev, end("uni", 3));

        HttpResponse<String> r = server.get("/api/sessions/uni/export");

        List<JsonNode> exported = lines(r);
        assertThat(exported).hasSize(3);
        JsonNode line = exported.get(1);
        assertThat(line.get("message").asText()).isEqualTo(message);
        assertThat(line.get("name").asText()).isEqualTo("note\nwith newline");
        assertThat(line.get("data").get("multi\nline key").asText()).isEqualTo("value\nover\nlines");
        // Non-ASCII goes out as UTF-8 (Jackson escapes only characters beyond the BMP, as the records route does).
        assertThat(r.body()).contains("Grüße 日本");
        assertThat(r.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"_n_code_Game-uni.ndjson\"");
    }

    @Test
    void anUnknownSessionIsNotFound() {
        for (String path : List.of("/api/sessions/nobody/export", "/api/sessions/not%20an%20id/export")) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct)
                    .startsWith("application/json"));
            assertThat(json(r).get("error").asText()).isEqualTo("session not found");
        }
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        ingest(start("there", 1, "Game", "1.0"));
        List<String[]> cases = List.of(
                new String[] {"/api/sessions/there/export?kind=party", "kind"},
                new String[] {"/api/sessions/export?status=bogus", "status"},
                new String[] {"/api/sessions/export?from=20&to=10", "from"},
                new String[] {"/api/sessions/export?state_key=level", "state_value"},
                new String[] {"/api/sessions/export?sort=random", "sort"},
                new String[] {"/api/sessions/export?product=a&product=b", "product"},
                new String[] {"/api/sessions/export?limit=10", "limit"},
                new String[] {"/api/sessions/export?cursor=czoxOng", "cursor"},
                new String[] {"/api/sessions/there/export?limit=2", "limit"},
                new String[] {"/api/sessions/there/export?cursor=abc", "cursor"});
        for (String[] c : cases) {
            HttpResponse<String> r = server.get(c[0]);
            assertThat(r.statusCode()).as(c[0] + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct)
                    .startsWith("application/json"));
            assertThat(json(r).get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void theSessionsExportHasWhatTheListShowsUnderEachFilter() {
        ingest(start("a-active", 1, "Alpha", "1.0").put("ts", T0), state("a-active", 2, "{\"level\":2}"));
        ingest(start("a-ended", 1, "Alpha", "1.0").put("ts", T0 + 1_000_000), state("a-ended", 2, "{\"level\":2}"),
                state("a-ended", 3, "{\"level\":3}"), end("a-ended", 4));
        ingest(start("a-crashed", 1, "Alpha", "2.0").put("ts", T0 + 2_000_000),
                event("a-crashed", 2, "boss", "info").put("message", "a troll appears"),
                crash("a-crashed", 3, "killed"));
        ingest(start("b-hung", 1, "Beta", "1.0").put("ts", T0 + 3_000_000),
                daemon(record("b-hung", 2, "hang")), event("b-hung", 3, "level_failed", "warning"));

        List<String> queries = List.of("", "product=Alpha", "product=Alpha&version=1.0", "status=crashed",
                "status=hung", "status=active", "from=" + (T0 + 1_000_000) + "&to=" + (T0 + 3_000_000),
                "event=level_failed", "state_key=level&state_value=2",
                "state_key=level&state_value=2&state_scope=ever",
                "q=TROLL", "sort=oldest", "product=Alpha&sort=oldest", "product=Gamma");
        for (String q : queries) {
            HttpResponse<String> r = server.get("/api/sessions/export?" + q);
            assertThat(lines(r)).as(q).containsExactlyElementsOf(server.walk("/api/sessions?limit=500&" + q,
                    "sessions", s -> s));
            assertThat(r.headers().firstValue("Content-Disposition"))
                    .hasValue("attachment; filename=\"datacat-sessions.ndjson\"");
        }
        assertThat(lines(server.get("/api/sessions/export?q=troll"))).extracting(s -> s.get("id").asText())
                .containsExactly("a-crashed");
        assertThat(lines(server.get("/api/sessions/export?state_key=level&state_value=2&state_scope=ever")))
                .extracting(s -> s.get("id").asText()).containsExactly("a-ended", "a-active");
    }

    @Test
    void aSessionWithTheIdExportIsReadThroughItsOtherRoutes() {
        ingest(start("export", 1, "Game", "1.0"), event("export", 2, "boot", "info"));

        assertThat(lines(server.get("/api/sessions/export"))).extracting(s -> s.get("id").asText())
                .containsExactly("export");
        assertThat(json(server.get("/api/sessions/export/summary")).get("id").asText()).isEqualTo("export");
        assertThat(lines(server.get("/api/sessions/export/export"))).hasSize(2);
    }

    @Test
    void theSessionsExportGoesThroughEveryChunkInTheListsOrder() {
        int n = SessionQueries.EXPORT_CHUNK * 2 + 5;
        List<ObjectNode> starts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Pairs share a created_at, so chunks also continue between sessions of the same time.
            starts.add(start("many-" + i, 1, i % 4 == 0 ? "Few" : "Many", "1.0").put("ts", T0 + (i / 2) * 1_000L));
        }
        ingest(starts.toArray(new ObjectNode[0]));

        for (String q : List.of("", "sort=oldest", "product=Many", "product=Many&sort=oldest")) {
            List<String> exported = lines(server.get("/api/sessions/export?" + q)).stream()
                    .map(s -> s.get("id").asText()).toList();
            assertThat(exported).as(q).doesNotHaveDuplicates()
                    .containsExactlyElementsOf(server.walk("/api/sessions?limit=50&" + q, "sessions",
                            s -> s.get("id").asText()));
        }
        assertThat(lines(server.get("/api/sessions/export"))).hasSize(n);
        assertThat(lines(server.get("/api/sessions/export?product=Many")))
                .hasSizeGreaterThan(SessionQueries.EXPORT_CHUNK);
    }
}

package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.server.DatacatServer;
import io.datacat.server.ServerConfig;
import io.datacat.server.ServerStartException;
import io.datacat.server.live.LiveFeed;
import io.datacat.server.store.SessionRow;
import io.datacat.server.testing.TestRecords;
import io.datacat.server.testing.TestServer;
import io.datacat.server.testing.TestStores;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.metric;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestRecords.state;
import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What only the PostgreSQL store has to show: several real servers sharing one database, text
 * PostgreSQL cannot hold, the database going away and coming back, and the errors at startup.
 */
class PostgresServersTest {

    private static String body(ObjectNode... records) {
        return batchJson(records).toString();
    }

    /** The batches of one session: a start, events, metrics and state, then its end. */
    private static List<String> sessionBatches(String sid) {
        List<String> batches = new ArrayList<>();
        batches.add(body(start(sid, 1, "Game", "1.0"), state(sid, 2, "{\"level\": 1}")));
        for (int b = 0; b < 5; b++) {
            List<ObjectNode> records = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long seq = 3 + b * 20L + i;
                records.add(i % 2 == 0 ? event(sid, seq, "tick", "info") : metric(sid, seq, "fps", 60));
            }
            batches.add(body(records.toArray(ObjectNode[]::new)));
        }
        batches.add(body(state(sid, 103, "{\"level\": 2}"), end(sid, 104)));
        return batches;
    }

    @Test
    void twoServersOnOneDatabaseStoreEveryRecordOnceWhicheverServerGetsIt(@TempDir Path dir) throws Exception {
        TestStores.Location db = TestStores.location(TestStores.Kind.POSTGRES, dir);
        int sessions = 8;
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try (TestServer a = TestServer.start(db); TestServer b = TestServer.start(db)) {
            // Every batch goes to both servers at once, as a daemon's retry may after a timeout:
            // both answer 200, and each record is stored once.
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                for (String batch : sessionBatches("shared-" + s)) {
                    answers.add(CompletableFuture.supplyAsync(() -> a.post("/api/ingest", batch), senders));
                    answers.add(CompletableFuture.supplyAsync(() -> b.post("/api/ingest", batch), senders));
                }
            }
            long accepted = 0;
            long duplicates = 0;
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> r = answer.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                // Numbered requests live in one server's memory: not offered when servers share a database.
                assertThat(r.headers().firstValue("Datacat-Order")).isEmpty();
                accepted += json(r).get("accepted").asLong();
                duplicates += json(r).get("duplicates").asLong();
            }
            assertThat(accepted).isEqualTo(sessions * 104L);
            assertThat(duplicates).isEqualTo(sessions * 104L);
            assertThat(a.recordCount()).isEqualTo(sessions * 104L);

            for (TestServer server : List.of(a, b)) {
                JsonNode list = json(server.get("/api/sessions?limit=100")).get("sessions");
                assertThat(list).hasSize(sessions);
                for (JsonNode s : list) {
                    assertThat(s.get("status").asText()).isEqualTo("ended");
                    assertThat(s.path("counts").path("records").asLong()).as(s.toString()).isEqualTo(104);
                }
                JsonNode session = json(server.get("/api/sessions/shared-3"));
                assertThat(session.path("state").path("level").asInt()).as(session.toString()).isEqualTo(2);
            }

            // A sender's second numbered request reaching the other server is stored at once,
            // not held waiting for the first, which that server never sees.
            HttpResponse<String> second = b.send(HttpRequest.newBuilder(URI.create(b.server().url() + "api/ingest"))
                    .header("Datacat-Order", "daemon-1/2")
                    .POST(HttpRequest.BodyPublishers.ofString(body(start("numbered", 1, "Game", "1.0")))).build());
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        } finally {
            senders.shutdownNow();
        }
    }

    /** What a live session page (the LiveFeed's events for one session) received. */
    private static final class LivePage implements LiveFeed.Sink {
        final List<String> seqs = new CopyOnWriteArrayList<>();
        final List<String> statuses = new CopyOnWriteArrayList<>();
        final List<Long> gaps = new CopyOnWriteArrayList<>();

        static LivePage open(TestServer server, String sid, List<AutoCloseable> toClose) {
            LivePage page = new LivePage();
            LiveFeed live = server.server().live();
            SessionRow row = server.server().store().read(tx -> tx.session(sid)).orElseThrow();
            toClose.add(live.watch(live.reserve(), row, page));
            return page;
        }

        @Override
        public boolean send(String event, String data) {
            JsonNode node = parse(data);
            switch (event) {
                case "records" -> node.forEach(r -> seqs.add(r.get("seq").asText()));
                case "session" -> statuses.add(node.get("status").asText());
                case "gap" -> gaps.add(node.get("records").asLong());
                default -> {
                }
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
    }

    private static void stored(TestServer server, ObjectNode... records) {
        HttpResponse<String> r = server.post("/api/ingest", body(records));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static List<String> range(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(String::valueOf).toList();
    }

    /** A live session page on one server sees what every server stores, each record once, in commit order. */
    @Test
    void aLivePageSeesEveryServersRecordsOnceInCommitOrder(@TempDir Path dir) throws Exception {
        TestStores.Location db = TestStores.location(TestStores.Kind.POSTGRES, dir);
        List<AutoCloseable> pages = new ArrayList<>();
        try (TestServer a = TestServer.start(db); TestServer b = TestServer.start(db)) {
            stored(a, start("watched", 1, "Game", "1.0"));
            // Each server hears every write, its own too, a moment after it commits: pages watching
            // since before the early records show when both servers have heard them.
            LivePage earlyOnB = LivePage.open(b, "watched", pages);
            LivePage earlyOnA = LivePage.open(a, "watched", pages);
            stored(a, event("watched", 6, "early", "info"), event("watched", 7, "early", "info"),
                    event("watched", 8, "early", "info"));
            await().atMost(Duration.ofSeconds(10)).until(() -> earlyOnB.seqs.containsAll(range(6, 8))
                    && earlyOnA.seqs.containsAll(range(6, 8)));
            LivePage onB = LivePage.open(b, "watched", pages);
            LivePage onA = LivePage.open(a, "watched", pages);

            // Around records stored before the page opened: only the new ones.
            stored(a, event("watched", 5, "late", "info"), event("watched", 9, "new", "info"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(onB.seqs).containsExactly("5", "9"));

            // Each write waits for the one before, on alternating servers: both pages in that order.
            for (int seq = 10; seq <= 40; seq++) {
                stored(seq % 2 == 0 ? a : b, event("watched", seq, "step", "info"));
            }
            List<String> expected = new ArrayList<>(List.of("5", "9"));
            expected.addAll(range(10, 40));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(onB.seqs).isEqualTo(expected));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(onA.seqs).isEqualTo(expected));

            // More than an event carries: told how many, to read them with the query routes.
            ObjectNode[] many = IntStream.rangeClosed(41, 740).mapToObj(seq -> event("watched", seq, "burst", "info"))
                    .toArray(ObjectNode[]::new);
            stored(a, many);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(onB.gaps).containsExactly(700L));

            stored(b, end("watched", 741));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(onA.statuses).contains("ended"));
            assertThat(onB.seqs).hasSize(expected.size() + 1).endsWith("741");
        } finally {
            for (AutoCloseable page : pages) {
                page.close();
            }
        }
    }

    /** A schema name may be 63 bytes; the notification channel is not, so it must not depend on it. */
    @Test
    void aSchemaWithTheLongestNameStoresAndTells(@TempDir Path dir) throws Exception {
        String base = TestStores.freshSchemaUrl();
        String schema = "s" + "x".repeat(50) + System.nanoTime() % 1_000_000_000L;
        try (var c = java.sql.DriverManager.getConnection(base); var st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        TestStores.Location db = new TestStores.Location(TestStores.Kind.POSTGRES, dir,
                base.replaceAll("currentSchema=[^&]*", "currentSchema=" + schema));
        List<AutoCloseable> pages = new ArrayList<>();
        try (TestServer a = TestServer.start(db)) {
            stored(a, start("long", 1, "Game", "1.0"));
            LivePage page = LivePage.open(a, "long", pages);
            stored(a, event("long", 2, "x", "info"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(page.seqs).containsExactly("2"));
        } finally {
            for (AutoCloseable p : pages) {
                p.close();
            }
        }
    }

    private static JsonNode parse(String text) {
        return io.datacat.protocol.Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * PostgreSQL text cannot hold U+0000; a client may still send it, escaped, in any string.
     * And records are copied in COPY's text format, where tabs, newlines and backslashes are
     * escapes.
     */
    @Test
    void aNulCharacterOrACopyEscapeAnywhereIsStoredAndFoundAgain(@TempDir Path dir) {
        try (TestServer server = TestServer.start(TestStores.location(TestStores.Kind.POSTGRES, dir))) {
            ObjectNode boss = event("nul", 2, "boss\u0000fight", "error").put("message", "hit \u0000 hard");
            String awkward = "tab\there\nnew\\line\r\\N";
            HttpResponse<String> r = server.post("/api/ingest", body(start("nul", 1, "Ga\u0000me", "1.0"), boss,
                    state("nul", 3, "{\"map\\u0000\": \"moon\\u0000\"}"), metric("nul", 4, "fp\u0000s", 1),
                    event("nul", 5, awkward, "info").put("message", awkward)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

            JsonNode events = json(server.get("/api/sessions/nul/events?limit=10")).get("events");
            assertThat(events.get(0).get("name").asText()).isEqualTo("boss\u0000fight");
            assertThat(events.get(0).get("message").asText()).isEqualTo("hit \u0000 hard");
            assertThat(events.get(1).get("name").asText()).isEqualTo(awkward);
            assertThat(events.get(1).get("message").asText()).isEqualTo(awkward);
            assertThat(json(server.get("/api/sessions/nul/events?name=" + encode(awkward))).get("events")).hasSize(1);
            assertThat(ids(server, "?event=" + encode("boss\u0000fight"))).containsExactly("nul");
            assertThat(ids(server, "?q=hard")).containsExactly("nul");
            assertThat(ids(server, "?state_key=" + encode("map\u0000") + "&state_value=" + encode("moon\u0000")))
                    .containsExactly("nul");
            assertThat(json(server.get("/api/sessions/nul")).get("product").asText()).isEqualTo("Ga\uFFFDme");
        }
    }

    /**
     * PostgreSQL refuses to turn an escaped U+0000 or a lone surrogate into text anywhere in a
     * JSON document it reads: such a record must not break free text, running totals or the
     * state filter, for its own session or any other.
     */
    @Test
    void jsonPostgresRefusesNeverBreaksAQuery(@TempDir Path dir) {
        try (TestServer server = TestServer.start(TestStores.location(TestStores.Kind.POSTGRES, dir))) {
            long t = TestRecords.T0;
            String counter = "\"kind\":\"metric\",\"name\":\"shots\",\"type\":\"counter\",\"cumulative\":true,"
                    + "\"tags\":[\"gun:a\\u0000b\"],\"metadata\":{\"x\":\"\\ud800\"}";
            String raw = "{\"records\":["
                    + "{\"sid\":\"odd\",\"seq\":1,\"kind\":\"session_start\",\"ts\":" + t
                    + ",\"product\":\"P\",\"version\":\"1\"},"
                    + "{\"sid\":\"odd\",\"seq\":2,\"kind\":\"event\",\"ts\":" + (t + 1)
                    + ",\"name\":\"boom\",\"message\":\"bad \\ud800 here\"},"
                    + "{\"sid\":\"odd\",\"seq\":3,\"kind\":\"event\",\"ts\":" + (t + 2)
                    + ",\"name\":\"path\",\"message\":\"C:\\\\u0000dir\",\"data\":{\"only\":\"in data\"}},"
                    + "{\"sid\":\"odd\",\"seq\":7,\"kind\":\"event\",\"ts\":" + (t + 4)
                    + ",\"name\":\"quote\",\"message\":\"say \\\"hi\\\" now\"},"
                    + "{\"sid\":\"odd\",\"seq\":4,\"ts\":" + (t + 1_000_000) + ",\"value\":100," + counter + "},"
                    + "{\"sid\":\"odd\",\"seq\":5,\"ts\":" + (t + 2_000_000) + ",\"value\":130," + counter + "},"
                    + "{\"sid\":\"odd\",\"seq\":6,\"kind\":\"state\",\"ts\":" + (t + 3)
                    + ",\"patch\":{\"note\":\"\\udc00\",\"map\":\"moon\"}}]}";
            HttpResponse<String> r = server.post("/api/ingest", raw);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

            assertThat(ids(server, "?q=zzz")).isEmpty();
            assertThat(ids(server, "?q=" + encode("in data"))).as("data is not searched").isEmpty();
            assertThat(ids(server, "?q=" + encode("say \"HI\""))).containsExactly("odd");
            assertThat(ids(server, "?q=" + encode("bad"))).containsExactly("odd");
            assertThat(ids(server, "?q=" + encode("C:\\u0000dir"))).as("literal text, not an escape")
                    .containsExactly("odd");
            assertThat(ids(server, "?state_key=map&state_value=moon")).containsExactly("odd");

            String from = URLEncoder.encode(io.datacat.protocol.Timestamps.format(t + 1_500_000), StandardCharsets.UTF_8);
            HttpResponse<String> series = server.get("/api/sessions/odd/series?name=shots&from=" + from);
            assertThat(series.statusCode()).as(series.body()).isEqualTo(200);
            assertThat(json(series).at("/series/0/summary/total").asDouble()).as("130 - 100").isEqualTo(30.0);
        }
    }

    private static List<String> ids(TestServer server, String query) {
        HttpResponse<String> r = server.get("/api/sessions" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json(r).get("sessions").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * A daemon keeps its spool while the server answers 503, so the server must answer 503
     * (not 500) while the database is down, and store again once it is back.
     */
    @Test
    void whileTheDatabaseIsDownIngestAnswers503AndStoresAgainOnceItIsBack(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("pg");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
        int port = pg.getPort();
        String url = "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
        try (TestServer server = TestServer.start(dir, b -> b.postgresUrl(url))) {
            assertThat(server.post("/api/ingest", body(start("outage", 1, "Game", "1.0"))).statusCode())
                    .isEqualTo(200);

            pg.close();
            HttpResponse<String> down = server.post("/api/ingest", body(event("outage", 2, "lost?", "info")));
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(json(down).get("error").asText()).contains("retry later");
            assertThat(server.get("/api/sessions").statusCode()).isEqualTo(503);

            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    server.post("/api/ingest", body(event("outage", 2, "lost?", "info"))).statusCode())
                    .isEqualTo(200));
            assertThat(server.recordCount()).isEqualTo(2);
        } finally {
            pg.close();
        }
    }

    @Test
    void startupErrorsSayWhatToFix(@TempDir Path dir) {
        assertThatThrownBy(() -> DatacatServer.start(ServerConfig.builder().port(0).dataDir(dir)
                .postgresUrl("postgresql://datacat:secret@127.0.0.1:1/datacat").build()))
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at 127.0.0.1:1/datacat")
                .hasMessageContaining("--postgres")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> DatacatServer.start(ServerConfig.builder().port(0).dataDir(dir)
                .postgresUrl("mysql://db/datacat").build()))
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("postgresql://user:password@host:5432/datacat");
    }

    @Test
    void aDatabaseWithANewerSchemaIsRefused(@TempDir Path dir) throws Exception {
        TestStores.Location db = TestStores.location(TestStores.Kind.POSTGRES, dir);
        db.open().close();
        try (var c = db.connect(); var st = c.createStatement()) {
            st.execute("UPDATE datacat_schema SET version = version + 1");
        }
        assertThatThrownBy(db::open).hasMessageContaining("written by a newer DataCat server");
    }
}

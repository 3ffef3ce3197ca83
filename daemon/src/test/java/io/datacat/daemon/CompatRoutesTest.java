package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.daemon.compat.CompatService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.datacat.daemon.TestSupport.get;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The routes existing DataCat clients use, turned into protocol records numbered by the daemon. */
class CompatRoutesTest {
    @TempDir
    Path tmp;
    private RecordingServer server;
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private String register() {
        TestSupport.Reply reply = post(daemon.port(), "/register", "{\"parent_pid\":" + ProcessHandle.current().pid()
                + ",\"product\":\"SpaceGame\",\"version\":\"2.1\"}");
        assertThat(reply.status()).isEqualTo(200);
        return reply.body().get("session_id").asText();
    }

    private void ok(String path, String body) {
        TestSupport.Reply reply = post(daemon.port(), path, body);
        assertThat(reply.status()).as(path + " " + reply.body()).isEqualTo(200);
        assertThat(reply.body().get("status").asText()).isEqualTo("ok");
    }

    /** What the old daemon accepted, so that an old client does not raise an error inside the game. */
    @Test
    void looseInputOfOldClientsIsAcceptedAsTheOldDaemonDid() throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).batchInterval(Duration.ofSeconds(60)).build());
        String sid = register();
        String s = "{\"session_id\":\"" + sid + "\",";
        ok("/state", s + "\"state\":null}");
        ok("/state", s.substring(0, s.length() - 1) + "}");
        ok("/event", s + "\"name\":\"\",\"category\":\"info\"}");
        ok("/metric", s + "\"name\":\"tick_rate\",\"type\":\"rate\",\"value\":30}");
        ok("/metric", s + "\"name\":\" \",\"value\":1}");
        ok("/end", s.substring(0, s.length() - 1) + "}");

        assertThat(server.records(sid)).extracting(r -> r.get("kind").asText())
                .containsExactly("session_start", "event", "metric", "metric", "end");
        assertThat(server.records(sid, "event").get(0).get("name").asText()).isEqualTo("(unnamed)");
        JsonNode rate = server.records(sid, "metric").get(0);
        assertThat(rate.get("type").asText()).isEqualTo("gauge");
        assertThat(rate.get("metadata").get("type").asText()).isEqualTo("rate");
        assertThat(server.records(sid, "metric").get(1).get("name").asText()).isEqualTo("(unnamed)");
    }

    @Test
    void endAnswersOnceTheServerHasTheSessionSoAClientMayStopTheDaemonRightAfter() throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).batchInterval(Duration.ofSeconds(60)).build());
        String sid = register();
        ok("/event", "{\"session_id\":\"" + sid + "\",\"name\":\"level_done\"}");
        ok("/metric", "{\"session_id\":\"" + sid + "\",\"name\":\"kills\",\"type\":\"counter\",\"value\":0,"
                + "\"delta\":2}");
        ok("/end", "{\"session_id\":\"" + sid + "\"}");
        // No waiting here: the old daemon sent everything before answering /end.
        assertThat(server.records(sid)).extracting(r -> r.get("kind").asText())
                .containsExactly("session_start", "event", "metric", "end");
    }

    @Test
    void endWithTheServerDownAnswersAfterABoundedWaitAndKeepsTheSessionSpooled() throws IOException {
        daemon = Daemon.start(TestSupport.config(tmp, RecordingServer.unreachableUrl()).build());
        String sid = register();
        long start = System.nanoTime();
        ok("/end", "{\"session_id\":\"" + sid + "\"}");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).isBetween(CompatService.END_WAIT.toMillis() - 100, CompatService.END_WAIT.toMillis() + 2_000);
        assertThat(get(daemon.port(), "/health").body().get("spool").get("pending_records").asLong()).isEqualTo(2);
    }

    /** Waiting /end calls hold the local API's threads: never so many that other apps wait behind them. */
    @Test
    void endsWaitingForAnUnreachableServerLeaveTheDaemonAnswering() throws Exception {
        daemon = Daemon.start(TestSupport.config(tmp, RecordingServer.unreachableUrl()).build());
        List<String> sids = List.of(register(), register(), register(), register());
        ExecutorService apps = Executors.newFixedThreadPool(sids.size());
        try {
            List<Future<TestSupport.Reply>> ends = new ArrayList<>();
            for (String sid : sids) {
                ends.add(apps.submit(() -> post(daemon.port(), "/end", "{\"session_id\":\"" + sid + "\"}")));
            }
            // Two of them wait their 5 s; meanwhile the daemon answers at once.
            await().atMost(Duration.ofSeconds(3)).until(() -> ends.stream().filter(Future::isDone).count() == 2);
            long start = System.nanoTime();
            assertThat(get(daemon.port(), "/health").status()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            for (Future<TestSupport.Reply> end : ends) {
                assertThat(end.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
        } finally {
            apps.shutdownNow();
        }
    }

    @Test
    void aWholeSessionBecomesRecordsInTheOrderTheDaemonNumberedThem() throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = register();
        String s = "{\"session_id\":\"" + sid + "\",";

        ok("/state", s + "\"state\":{\"level\":{\"name\":\"intro\",\"enemies\":3}}}");
        ok("/state", s + "\"state\":{\"level\":{\"enemies\":null,\"boss\":true}}}");
        ok("/event", s + "\"name\":\"player_died\",\"category\":\"warning\",\"group\":\"gameplay\","
                + "\"labels\":[\"death\"],\"message\":\"fell\",\"data\":{\"x\":10}}");
        ok("/event", s + "\"name\":\"exception\",\"category\":\"info\",\"exception_type\":\"ValueError\","
                + "\"exception_msg\":\"bad value\",\"stacktrace\":[\"line 1\",\"line 2\"],\"source_file\":\"game.py\","
                + "\"source_line\":12,\"source_function\":\"update\"}");
        ok("/event", s + "\"name\":\"tick\",\"category\":\"gameplay\"}");
        ok("/metric", s + "\"name\":\"kills\",\"type\":\"counter\",\"value\":0,\"delta\":2,\"tags\":[\"b\",\"a\"]}");
        ok("/metric", s + "\"name\":\"kills\",\"type\":\"counter\",\"value\":0,\"delta\":3,\"tags\":[\"a\",\"b\"]}");
        for (double v : new double[] {0.05, 0.5, 5}) {
            ok("/metric", s + "\"name\":\"frame_time\",\"type\":\"histogram\",\"value\":" + v + ",\"unit\":\"s\","
                    + "\"metadata\":{\"buckets\":[1,0.1,\"inf\"],\"note\":\"x\"}}");
        }
        ok("/metric", s + "\"name\":\"fps\",\"value\":59.5,\"tags\":[\"scene:intro\"]}");
        ok("/metric", s + "\"name\":\"load\",\"type\":\"timer\",\"value\":1.25,\"count\":3,\"unit\":\"seconds\"}");
        ok("/metric", s + "\"name\":\"score\",\"type\":\"counter\",\"value\":42}");
        ok("/heartbeat", s.substring(0, s.length() - 1) + "}");
        ok("/pause_heartbeat", s.substring(0, s.length() - 1) + "}");
        ok("/resume_heartbeat", s.substring(0, s.length() - 1) + "}");
        ok("/end", s.substring(0, s.length() - 1) + "}");

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid, "end").size() == 1);
        List<JsonNode> records = server.records(sid);
        // Every /metric call is one record, spooled in the order of the calls.
        assertThat(records).extracting(r -> r.get("kind").asText()).containsExactly("session_start", "state", "state",
                "event", "exception", "event", "metric", "metric", "metric", "metric", "metric", "metric", "metric",
                "metric", "end");
        assertThat(seqs(records)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(records).allMatch(r -> r.get("src").asText().equals("app"));

        JsonNode start = records.get(0);
        assertThat(sid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(start.get("product").asText()).isEqualTo("SpaceGame");
        assertThat(start.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(start.get("client").asText()).isEqualTo("compat");
        assertThat(start.get("machine_id").asText()).matches("([0-9a-f]{32})?");
        assertThat(start.has("hostname")).isTrue();

        assertThat(records.get(2).get("patch").toString()).isEqualTo("{\"level\":{\"enemies\":null,\"boss\":true}}");
        JsonNode warning = records.get(3);
        assertThat(warning.get("level").asText()).isEqualTo("warning");
        assertThat(warning.get("category").asText()).isEqualTo("warning");
        assertThat(warning.get("data").get("x").asInt()).isEqualTo(10);
        JsonNode exception = records.get(4);
        assertThat(exception.get("level").asText()).isEqualTo("error");
        assertThat(exception.get("exception_type").asText()).isEqualTo("ValueError");
        assertThat(exception.get("source_line").asInt()).isEqualTo(12);
        assertThat(records.get(5).get("level").asText()).as("a category that is no level").isEqualTo("info");
        assertThat(records.get(5).get("category").asText()).isEqualTo("gameplay");

        JsonNode counter = records.get(6);
        assertThat(counter.get("type").asText()).isEqualTo("counter");
        assertThat(counter.get("value").asDouble()).as("the increment").isEqualTo(2);
        assertThat(records.get(7).get("value").asDouble()).isEqualTo(3);
        JsonNode histogram = records.get(9);
        assertThat(histogram.get("type").asText()).isEqualTo("histogram");
        assertThat(histogram.get("value").asDouble()).as("one exact sample").isEqualTo(0.5);
        assertThat(histogram.has("count")).isFalse();
        assertThat(histogram.has("buckets")).isFalse();
        assertThat(histogram.get("metadata").toString()).isEqualTo("{\"note\":\"x\"}");
        assertThat(histogram.get("unit").asText()).isEqualTo("s");
        JsonNode fps = records.get(11);
        assertThat(fps.get("type").asText()).isEqualTo("gauge");
        assertThat(fps.get("value").asDouble()).isEqualTo(59.5);
        JsonNode timer = records.get(12);
        assertThat(timer.get("type").asText()).isEqualTo("timer");
        assertThat(timer.get("metadata").get("count").asInt()).as("the caller's tally").isEqualTo(3);
        assertThat(timer.has("count")).as("count means samples in the protocol").isFalse();
        JsonNode absolute = records.get(13);
        assertThat(absolute.get("type").asText()).as("a counter without delta is a reading").isEqualTo("gauge");
        assertThat(absolute.get("value").asDouble()).isEqualTo(42);

        JsonNode local = get(daemon.port(), "/session?session_id=" + sid).body();
        assertThat(local.get("id").asText()).isEqualTo(sid);
        assertThat(local.get("active").asBoolean()).isFalse();
        assertThat(local.has("ended_at")).isTrue();
        assertThat(local.get("state").toString())
                .isEqualTo("{\"product\":\"SpaceGame\",\"version\":\"2.1\",\"level\":{\"name\":\"intro\",\"boss\":true}}");
        assertThat(local.get("events")).isEmpty();

        ok("/end", s.substring(0, s.length() - 1) + "}");
        assertThat(server.records(sid, "end")).as("a second end changes nothing").hasSize(1);
    }

    @Test
    void eachCounterAndHistogramCallIsARecordOfItsOwn() throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = register();
        String s = "{\"session_id\":\"" + sid + "\",";

        ok("/metric", s + "\"name\":\"kills\",\"type\":\"counter\",\"value\":0,\"delta\":2}");
        ok("/metric", s + "\"name\":\"lag\",\"type\":\"histogram\",\"value\":0.3,"
                + "\"metadata\":{\"buckets\":[0.1,1,\"inf\"]}}");
        ok("/metric", s + "\"name\":\"kills\",\"type\":\"counter\",\"value\":0,\"delta\":4}");
        TestSupport.Reply refused = post(daemon.port(), "/metric", s + "\"name\":\"lag\",\"type\":\"histogram\","
                + "\"value\":0.3,\"metadata\":{\"buckets\":[0.1,true]}}");
        assertThat(refused.status()).as("malformed bounds are still refused").isEqualTo(400);
        String repeated = String.join(",", java.util.Collections.nCopies(260, "1"));
        ok("/metric", s + "\"name\":\"lag\",\"type\":\"histogram\",\"value\":0.3,"
                + "\"metadata\":{\"buckets\":[" + repeated + "]}}"); // one bound, repeated: as the old daemon took it

        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid, "metric").size() == 4);
        List<JsonNode> metrics = server.records(sid, "metric");
        assertThat(metrics.stream().filter(m -> m.get("name").asText().equals("kills")))
                .extracting(m -> m.get("value").asDouble()).as("increments, not running totals").containsExactly(2.0, 4.0);
        JsonNode lag = metrics.stream().filter(m -> m.get("name").asText().equals("lag")).findFirst().orElseThrow();
        assertThat(lag.get("value").asDouble()).isEqualTo(0.3);
        assertThat(lag.has("buckets")).isFalse();
    }

    @Test
    void sessionAndSessionsProxyTheServerAndFallBackToTheDaemonsView() throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = register();
        server.onGet("/api/sessions/" + sid, 200, "{\"id\":\"" + sid + "\",\"from\":\"server\"}");
        server.onGet("/api/data/sessions", 200, "[{\"id\":\"other\"}]");

        assertThat(get(daemon.port(), "/session?session_id=" + sid).body().get("from").asText()).isEqualTo("server");
        assertThat(get(daemon.port(), "/sessions").body().get(0).get("id").asText()).isEqualTo("other");

        server.onGet("/api/data/sessions", 500, "{\"error\":\"db down\"}");
        TestSupport.Reply failed = get(daemon.port(), "/sessions");
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.error()).startsWith("Failed to retrieve sessions").contains("answered 500");

        server.close();
        JsonNode local = get(daemon.port(), "/session?session_id=" + sid).body();
        assertThat(local.get("active").asBoolean()).isTrue();
        assertThat(local.get("state").get("product").asText()).isEqualTo("SpaceGame");
        JsonNode list = get(daemon.port(), "/sessions").body();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("id").asText()).isEqualTo(sid);
        assertThat(get(daemon.port(), "/session?session_id=unknown").status()).isEqualTo(404);

        JsonNode health = TestSupport.send(daemon.port(), "DELETE", "/health", null).body();
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("sessions").asInt()).isEqualTo(1);
        assertThat(health.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(health.get("version").asText()).isEqualTo("0.1.0");
        assertThat(health.get("spool").has("bytes")).isTrue();
        assertThat(health.get("spool").has("pending_records")).isTrue();
    }

    @Test
    void javaSessionsCannotBeWrittenThroughCompatibleRoutes() throws IOException {
        server = RecordingServer.start();
        daemon = Daemon.start(TestSupport.config(tmp, server.url()).build());
        String sid = TestSupport.newSid();
        post(daemon.port(), "/v1/batch", TestSupport.batch(List.of(TestSupport.start(sid, 0))));

        TestSupport.Reply reply = post(daemon.port(), "/event", "{\"session_id\":\"" + sid + "\",\"name\":\"x\"}");

        assertThat(reply.status()).isEqualTo(409);
        assertThat(reply.error()).contains("POST /v1/batch");
    }
}

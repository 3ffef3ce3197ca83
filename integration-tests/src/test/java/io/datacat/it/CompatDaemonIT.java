package io.datacat.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.it.support.Api;
import io.datacat.it.support.DaemonProcess;
import io.datacat.it.support.ServerProcess;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drives the real daemon process's compatible routes with plain HTTP, the way an existing
 * (Python, Go) DataCat client does, and checks what reaches the real server.
 */
class CompatDaemonIT {
    @TempDir
    Path dir;
    private ServerProcess server;
    private DaemonProcess daemon;
    private Api local;

    @BeforeEach
    void start() throws Exception {
        server = ServerProcess.start(dir.resolve("server"));
        daemon = DaemonProcess.start(dir.resolve("daemon"), Map.of("server_url", server.url(),
                "batch_interval_seconds", 1, "max_batch_size", 100, "heartbeat_timeout_seconds", 60,
                "spool_dir", dir.resolve("spool").toString()));
        local = daemon.local();
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
        server.close();
    }

    private JsonNode post(String path, String json) throws Exception {
        HttpResponse<String> r = local.post(path, json);
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anExistingClientsWholeSessionReachesTheServer() throws Exception {
        long pid = ProcessHandle.current().pid();
        String id = post("/register", "{\"parent_pid\":" + pid + ",\"product\":\"PyGame\",\"version\":\"0.9\"}")
                .get("session_id").asText();
        assertThat(id).matches("[0-9a-f-]{36}");
        String sid = "\"session_id\":\"" + id + "\"";
        assertThat(post("/state", "{" + sid + ",\"state\":{\"level\":1,\"player\":{\"hp\":100,\"x\":0}}}")
                .get("status").asText()).isEqualTo("ok");
        post("/state", "{" + sid + ",\"state\":{\"player\":{\"x\":5,\"hp\":null}}}");
        post("/event", "{" + sid + ",\"name\":\"player_died\",\"category\":\"warning\",\"group\":\"combat\","
                + "\"labels\":[\"death\"],\"message\":\"fell\",\"data\":{\"cause\":\"fall\"}}");
        post("/event", "{" + sid + ",\"name\":\"exception\",\"category\":\"error\",\"exception_type\":\"ValueError\","
                + "\"exception_msg\":\"bad\",\"stacktrace\":[\"Traceback...\",\"ValueError: bad\"],"
                + "\"source_file\":\"game.py\",\"source_line\":42,\"source_function\":\"load\"}");
        post("/metric", "{" + sid + ",\"name\":\"fps\",\"type\":\"gauge\",\"value\":59.5,\"tags\":[]}");
        for (int i = 0; i < 3; i++) {
            post("/metric", "{" + sid + ",\"name\":\"kills\",\"type\":\"counter\",\"value\":0,\"delta\":2,"
                    + "\"tags\":[\"mode:pvp\"]}");
        }
        for (double v : new double[] {0.004, 0.02, 7.0, 100.0}) {
            post("/metric", "{" + sid + ",\"name\":\"load_s\",\"type\":\"histogram\",\"value\":" + v + ","
                    + "\"tags\":[],\"metadata\":{\"buckets\":[0.01,0.1,10,\"inf\"]}}");
        }
        post("/heartbeat", "{" + sid + "}");
        post("/pause_heartbeat", "{" + sid + "}");
        post("/resume_heartbeat", "{" + sid + "}");

        JsonNode health = post("/health", "{}");
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("sessions").asInt()).isGreaterThanOrEqualTo(1);

        Api api = server.api();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.sessionOrNull(id) != null
                && api.records(id, "metric").stream().anyMatch(m -> m.get("name").asText().equals("load_s")));
        JsonNode viaDaemon = local.json("/session?session_id=" + id);
        assertThat(viaDaemon.get("id").asText()).isEqualTo(id);
        assertThat(local.json("/sessions").toString()).contains(id);

        post("/end", "{" + sid + "}");
        await().atMost(Duration.ofSeconds(20)).until(() -> "ended".equals(api.status(id)));

        JsonNode session = api.sessionOrNull(id);
        assertThat(session.get("product").asText()).isEqualTo("PyGame");
        assertThat(session.get("version").asText()).isEqualTo("0.9");
        assertThat(session.get("pid").asLong()).isEqualTo(pid);
        assertThat(session.get("hung").asBoolean()).isFalse();
        assertThat(api.state(id)).isEqualTo(Json.parse("{\"level\":1,\"player\":{\"x\":5}}".getBytes()));

        List<JsonNode> events = api.records(id, "event,exception");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("level").asText()).isEqualTo("warning");
        assertThat(events.get(0).get("category").asText()).isEqualTo("warning");
        assertThat(events.get(0).at("/data/cause").asText()).isEqualTo("fall");
        assertThat(events.get(1).get("kind").asText()).isEqualTo("exception");
        assertThat(events.get(1).get("source_line").asInt()).isEqualTo(42);

        List<JsonNode> metrics = api.records(id, "metric");
        assertThat(metrics.stream().filter(m -> m.get("name").asText().equals("fps"))
                .map(m -> m.get("value").asDouble()).collect(Collectors.toList())).containsExactly(59.5);
        assertThat(metrics.stream().filter(m -> m.get("name").asText().equals("kills"))
                .mapToDouble(m -> m.get("value").asDouble()).sum()).isEqualTo(6.0);
        JsonNode kills = metrics.stream().filter(m -> m.get("name").asText().equals("kills")).findFirst().orElseThrow();
        assertThat(kills.get("type").asText()).isEqualTo("counter");
        assertThat(kills.get("tags").get(0).asText()).isEqualTo("mode:pvp");
        List<JsonNode> load = metrics.stream().filter(m -> m.get("name").asText().equals("load_s"))
                .collect(Collectors.toList());
        // Each sample is a record of its own: the server reads them exactly.
        assertThat(load).allMatch(m -> m.get("type").asText().equals("histogram"));
        assertThat(load).extracting(m -> m.get("value").asDouble()).containsExactly(0.004, 0.02, 7.0, 100.0);
        JsonNode summary = api.json("/api/sessions/" + id + "/series?name=load_s").at("/series/0/summary");
        assertThat(summary.get("count").asLong()).isEqualTo(4);
        assertThat(summary.get("min").asDouble()).isEqualTo(0.004);
        assertThat(summary.get("max").asDouble()).isEqualTo(100.0);
    }

    /**
     * Counters and histograms answered ok are on disk: the old daemon summed them in memory for
     * {@code batch_interval_seconds}, and a daemon killed meanwhile lost what it had answered ok.
     */
    @Test
    void countersAndHistogramsAnsweredOkSurviveTheDaemonsKill() throws Exception {
        Map<String, Object> config = Map.of("server_url", server.url(), "batch_interval_seconds", 30,
                "heartbeat_timeout_seconds", 60, "spool_dir", dir.resolve("spool-killed").toString());
        DaemonProcess killed = DaemonProcess.start(dir.resolve("daemon-killed"), config);
        Api api = killed.local();
        String id = Json.parse(api.post("/register", "{\"parent_pid\":" + ProcessHandle.current().pid()
                + ",\"product\":\"PyGame\",\"version\":\"1.0\"}").body().getBytes(StandardCharsets.UTF_8))
                .get("session_id").asText();
        String sid = "\"session_id\":\"" + id + "\"";
        for (int i = 0; i < 20; i++) {
            assertThat(api.post("/metric", "{" + sid + ",\"name\":\"kills\",\"type\":\"counter\",\"value\":0,"
                    + "\"delta\":1}").statusCode()).isEqualTo(200);
        }
        for (double v : new double[] {0.004, 0.02, 7.0}) {
            assertThat(api.post("/metric", "{" + sid + ",\"name\":\"load_s\",\"type\":\"histogram\",\"value\":"
                    + v + "}").statusCode()).isEqualTo(200);
        }
        killed.process().kill9();

        try (DaemonProcess adopting = DaemonProcess.start(dir.resolve("daemon-adopting"), config)) {
            Api stored = server.api();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                if (stored.sessionOrNull(id) == null) {
                    return false;
                }
                List<JsonNode> metrics = stored.records(id, "metric");
                double kills = metrics.stream().filter(m -> m.get("name").asText().equals("kills"))
                        .mapToDouble(m -> m.get("value").asDouble()).sum();
                long samples = metrics.stream().filter(m -> m.get("name").asText().equals("load_s")).count();
                return kills == 20 && samples == 3;
            });
        }
    }
}

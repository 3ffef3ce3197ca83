package io.datacat.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.it.apps.LoggingApp;
import io.datacat.it.apps.Script;
import io.datacat.it.support.Api;
import io.datacat.it.support.JavaProcess;
import io.datacat.it.support.Postgres;
import io.datacat.it.support.Repo;
import io.datacat.it.support.ServerProcess;
import io.datacat.protocol.DeepMerge;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real app process logs a known set through its own real daemon process into a real
 * server process (a fresh SQLite file, or a fresh database of a real PostgreSQL server); the
 * REST API must then show every record exactly once, in order, with the right final state,
 * and the app's stats must add up.
 */
@ParameterizedClass(name = "store: {0}")
@ValueSource(strings = {"sqlite", "postgres"})
class EndToEndIT {
    @Parameter
    String store;
    @TempDir
    Path dir;
    private ServerProcess server;

    @BeforeEach
    void startServer() throws Exception {
        server = store.equals("postgres")
                ? ServerProcess.start(dir.resolve("server"), "--postgres", Postgres.freshDatabaseUrl())
                : ServerProcess.start(dir.resolve("server"));
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    @Test
    void asyncSessionShowsEveryRecordExactlyOnceInOrder() throws Exception {
        checkRun("async", 2_000, 5);
    }

    @Test
    void synchronousSessionShowsEveryRecordExactlyOnceInOrder() throws Exception {
        checkRun("sync", 150, 5);
    }

    private void checkRun(String mode, int steps, int stateEvery) throws Exception {
        JavaProcess app = JavaProcess.start(dir.resolve("app"), "app", List.of(), LoggingApp.class.getName(),
                List.of(server.url(), Repo.daemonJar().toString(), dir.resolve("spool").toString(), mode,
                        Integer.toString(steps), Integer.toString(stateEvery), "10000", "true"), Map.of());
        String id = app.awaitLine("SESSION ", Duration.ofSeconds(30)).substring(8).trim();
        assertThat(app.waitFor(Duration.ofSeconds(120))).as(app.output()).isZero();
        String[] stats = app.awaitLine("STATS ", Duration.ofSeconds(1)).split(" ");
        int patches = (steps + stateEvery - 1) / stateEvery;
        long calls = steps * 4L + patches + 1;
        assertThat(Long.parseLong(stats[1])).as("sent").isEqualTo(calls);
        assertThat(Long.parseLong(stats[2])).as("dropped").isZero();
        assertThat(Long.parseLong(stats[3])).as("queued").isZero();
        assertThat(stats[4]).as("delivered to the daemon").isEqualTo("true");

        Api api = server.api();
        await().atMost(Duration.ofSeconds(30)).until(() -> "ended".equals(api.status(id)));
        JsonNode session = api.sessionOrNull(id);
        assertThat(session.get("product").asText()).isEqualTo("ItGame");
        assertThat(session.get("version").asText()).isEqualTo("2.0");
        assertThat(session.get("client_dropped").asLong()).isZero();
        assertThat(session.get("pid").asLong()).isEqualTo(app.pid());

        List<JsonNode> all = api.records(id, null);
        List<Long> appSeqs = all.stream().filter(r -> r.get("src").asText().equals("app"))
                .map(r -> r.get("seq").asLong()).sorted().collect(Collectors.toList());
        List<Long> expectedSeqs = new ArrayList<>();
        for (long s = 1; s <= appSeqs.size(); s++) {
            expectedSeqs.add(s);
        }
        assertThat(appSeqs).as("seq is gap-free and nothing is duplicated").isEqualTo(expectedSeqs);
        assertThat(all.get(0).get("kind").asText()).isEqualTo("session_start");
        assertThat(all.get(all.size() - 1).get("kind").asText()).isEqualTo("end");

        List<JsonNode> steps0 = all.stream().filter(r -> r.get("kind").asText().equals("event")
                && r.get("name").asText().equals("step")).collect(Collectors.toList());
        assertThat(steps0).hasSize(steps);
        for (int i = 0; i < steps; i++) {
            assertThat(steps0.get(i).at("/data/i").asInt()).as("event %d in order", i).isEqualTo(i);
        }

        List<JsonNode> stateRecords = all.stream().filter(r -> r.get("kind").asText().equals("state"))
                .collect(Collectors.toList());
        assertThat(stateRecords).hasSize(patches);
        ObjectNode expected = Json.mapper().createObjectNode();
        for (int k = 0; k < patches; k++) {
            ObjectNode patch = Json.mapper().valueToTree(Script.patch(k));
            assertThat(stateRecords.get(k).get("patch")).isEqualTo(patch);
            DeepMerge.apply(expected, patch);
        }
        assertThat(api.state(id)).isEqualTo(expected);

        List<JsonNode> metrics = all.stream().filter(r -> r.get("kind").asText().equals("metric"))
                .collect(Collectors.toList());
        assertThat(metrics.stream().filter(m -> m.get("name").asText().equals("fps"))).hasSize(steps);
        assertThat(sum(metrics, "hits", "value")).isEqualTo(steps);
        assertThat(sum(metrics, "frame_ms", "count")).isEqualTo(steps);
        double expectedSum = 0;
        for (int i = 0; i < steps; i++) {
            expectedSum += Script.frameMs(i);
        }
        assertThat(sumOfSamples(metrics, "frame_ms")).isCloseTo(expectedSum, org.assertj.core.data.Offset.offset(1e-6));

        List<JsonNode> exceptions = all.stream().filter(r -> r.get("kind").asText().equals("exception"))
                .collect(Collectors.toList());
        assertThat(exceptions).hasSize(1);
        assertThat(exceptions.get(0).get("exception_type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(exceptions.get(0).get("stacktrace").toString()).contains("Caused by: java.lang.NumberFormatException");
        assertThat(exceptions.get(0).get("source_function").asText()).isEqualTo(LoggingApp.class.getName() + ".main");
    }

    /** Sum of a field over a metric's records; a record without {@code count} is one sample. */
    private static double sum(List<JsonNode> metrics, String name, String field) {
        return metrics.stream().filter(m -> m.get("name").asText().equals(name))
                .mapToDouble(m -> m.has(field) ? m.get(field).asDouble() : 1).sum();
    }

    /** Sum of a histogram's samples, whether sent one by one (value) or aggregated (sum). */
    private static double sumOfSamples(List<JsonNode> metrics, String name) {
        return metrics.stream().filter(m -> m.get("name").asText().equals(name))
                .mapToDouble(m -> m.has("sum") ? m.get("sum").asDouble() : m.get("value").asDouble()).sum();
    }
}

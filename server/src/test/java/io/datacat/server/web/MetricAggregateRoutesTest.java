package io.datacat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Timestamps;
import io.datacat.server.testing.DefaultBuckets;
import io.datacat.server.testing.TestRecords;
import io.datacat.server.testing.ServerPerStoreTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static io.datacat.server.testing.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * One metric aggregated across sessions by {@code GET /api/metrics}: four sessions of a racing
 * game, one of version 1.0 (the oldest) and three of 1.1, each started 10 s after the previous one.
 *
 * <pre>
 * session  version  laps (counter, at +1 s, +2 s)  frame_time_ms (histogram)  fps (gauge, at +1 s, +2 s)
 * a        1.0      10, 20                         1..100                     60, 30
 * b        1.1      5                              101..200                   90, 60
 * c        1.1      7                              -                          50, 45
 * d        1.1      -                              -                          50
 * </pre>
 */
class MetricAggregateRoutesTest extends ServerPerStoreTest {
    private static final long S = 1_000_000;

    @BeforeEach
    void seed() {
        long t0 = Timestamps.nowMicros() - 3_600 * S;
        List<ObjectNode> records = new ArrayList<>();
        session(records, "a", "1.0", t0, new double[] {10, 20}, DefaultBuckets.range(1, 100), 60, 30);
        session(records, "b", "1.1", t0 + 10 * S, new double[] {5}, DefaultBuckets.range(101, 200), 90, 60);
        session(records, "c", "1.1", t0 + 20 * S, new double[] {7}, null, 50, 45);
        session(records, "d", "1.1", t0 + 30 * S, new double[0], null, 50);
        HttpResponse<String> r = server.post("/api/ingest",
                TestRecords.batchJson(records.toArray(ObjectNode[]::new)).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** A session started at {@code start}, with its laps and fps a second apart from +1 s, its frame times at +1 s. */
    private static void session(List<ObjectNode> records, String sid, String version, long start, double[] laps,
                                double[] frameTimes, double... fps) {
        records.add(TestRecords.start(sid, 1, "Racer", version).put("ts", start));
        int seq = 2;
        for (int i = 0; i < laps.length; i++) {
            records.add(TestRecords.metric(sid, seq++, "laps", laps[i]).put("type", "counter")
                    .put("ts", start + (i + 1) * S));
        }
        if (frameTimes != null) {
            records.add(DefaultBuckets.aggregate(TestRecords.metric(sid, seq++, "frame_time_ms", 0), frameTimes)
                    .put("type", "histogram").put("ts", start + S));
        }
        for (int i = 0; i < fps.length; i++) {
            records.add(TestRecords.metric(sid, seq++, "fps", fps[i]).put("ts", start + (i + 1) * S));
        }
    }

    private JsonNode getOk(String path) {
        HttpResponse<String> r = server.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    @Test
    void countersGiveTheirTotalAcrossSessionsTheMeanPerSessionAndTheRate() {
        JsonNode answer = getOk("/api/metrics?product=Racer&name=laps");
        JsonNode all = answer.get("aggregate");
        assertThat(all.get("type").asText()).isEqualTo("counter");
        assertThat(all.get("sessions").asInt()).as("d logged no laps").isEqualTo(3);
        assertThat(all.get("total").asDouble()).isEqualTo(42.0);
        assertThat(all.get("mean_total").asDouble()).isEqualTo(14.0);
        // a's laps cover its first 2 s, b's and c's their first second each.
        assertThat(all.get("rate").asDouble()).isCloseTo(42 / 4.0, within(1e-9));
        assertThat(answer.get("truncated").asBoolean()).isFalse();

        JsonNode versions = answer.get("by_version");
        assertThat(versions.findValuesAsText("version")).containsExactly("1.1", "1.0");
        assertThat(versions.at("/0/sessions").asInt()).isEqualTo(2);
        assertThat(versions.at("/0/total").asDouble()).isEqualTo(12.0);
        assertThat(versions.at("/1/total").asDouble()).isEqualTo(30.0);
        assertThat(answer.get("by_version_truncated").asBoolean()).isFalse();

        JsonNode oneVersion = getOk("/api/metrics?product=Racer&version=1.1&name=laps");
        assertThat(oneVersion.at("/aggregate/total").asDouble()).isEqualTo(12.0);
        assertThat(oneVersion.has("by_version")).as("one version asked for: nothing to compare").isFalse();
    }

    @Test
    void histogramPercentilesComeFromTheMergedBucketsOfEverySession() {
        JsonNode answer = getOk("/api/metrics?product=Racer&name=frame_time_ms");
        JsonNode all = answer.get("aggregate");
        assertThat(all.get("sessions").asInt()).isEqualTo(2);
        assertThat(all.get("count").asLong()).isEqualTo(200);
        assertThat(all.get("sum").asDouble()).isEqualTo(20_100.0);
        assertThat(all.get("mean").asDouble()).isEqualTo(100.5);
        assertThat(all.get("min").asDouble()).isEqualTo(1.0);
        assertThat(all.get("max").asDouble()).isEqualTo(200.0);
        // Samples 1..200: within the 6.25% width of a default bucket.
        assertThat(all.get("p50").asDouble()).isCloseTo(100.0, withinPercentage(6.25));
        assertThat(all.get("p95").asDouble()).isCloseTo(190.0, withinPercentage(6.25));
        assertThat(all.get("p99").asDouble()).isCloseTo(198.0, withinPercentage(6.25));

        JsonNode versions = answer.get("by_version");
        assertThat(versions.findValuesAsText("version")).as("one session each: the newest's version first")
                .containsExactly("1.1", "1.0");
        assertThat(versions.at("/0/p50").asDouble()).isCloseTo(150.0, withinPercentage(6.25));
        assertThat(versions.at("/1/p50").asDouble()).isCloseTo(50.0, withinPercentage(6.25));
    }

    @Test
    void gaugesGiveTheDistributionOfEachSessionsLastValue() {
        JsonNode all = getOk("/api/metrics?product=Racer&name=fps").get("aggregate");
        assertThat(all.get("sessions").asInt()).isEqualTo(4);
        assertThat(all.get("samples").asLong()).isEqualTo(7);
        assertThat(all.get("avg").asDouble()).isCloseTo(385 / 7.0, within(1e-9));
        assertThat(all.get("min").asDouble()).isEqualTo(30.0);
        assertThat(all.get("max").asDouble()).isEqualTo(90.0);
        // Last values 30 (a), 60 (b), 45 (c), 50 (d).
        JsonNode last = all.get("last");
        assertThat(last.get("sessions").asLong()).isEqualTo(4);
        assertThat(last.get("mean").asDouble()).isEqualTo(46.25);
        assertThat(last.get("min").asDouble()).isEqualTo(30.0);
        assertThat(last.get("max").asDouble()).isEqualTo(60.0);
        assertThat(last.get("p50").asDouble()).isEqualTo(45.0);
        assertThat(last.get("p95").asDouble()).isBetween(50.0, 60.0);

        JsonNode version11 = getOk("/api/metrics?product=Racer&version=1.1&name=fps").get("aggregate");
        assertThat(version11.at("/last/p50").asDouble()).as("of 45, 50 and 60").isBetween(45.0, 50.0);
        assertThat(version11.at("/last/min").asDouble()).isEqualTo(45.0);
    }

    @Test
    void theAggregateCoversTheSameLatestSessionsAsTheSeries() {
        JsonNode answer = getOk("/api/metrics?product=Racer&name=fps&sessions=2");
        assertThat(answer.get("sessions").findValuesAsText("session")).containsExactly("d", "c");
        JsonNode all = answer.get("aggregate");
        assertThat(all.get("sessions").asInt()).isEqualTo(2);
        assertThat(all.get("samples").asLong()).isEqualTo(3);
        assertThat(all.at("/last/min").asDouble()).isEqualTo(45.0);
        assertThat(answer.get("by_version").findValuesAsText("version")).containsExactly("1.1");
    }

    @Test
    void aMetricNoSessionLoggedHasANullAggregate() {
        JsonNode answer = getOk("/api/metrics?product=Racer&name=nope");
        assertThat(answer.get("sessions")).isEmpty();
        assertThat(answer.get("aggregate").isNull()).isTrue();
        assertThat(answer.get("by_version")).isEmpty();
        assertThat(getOk("/api/metrics?product=Racer").has("aggregate")).as("no name: only the names").isFalse();
    }

    @Test
    void badParametersAre400sNamingTheParameter() {
        String[][] cases = {
            {"/api/metrics?name=fps", "product"},
            {"/api/metrics?product=Racer&name=fps&sessions=0", "sessions"},
            {"/api/metrics?product=Racer&name=fps&sessions=51", "sessions"},
            {"/api/metrics?product=Racer&name=fps&sessions=many", "sessions"},
            {"/api/metrics?product=Racer&name=fps&points=0", "points"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = server.get(c[0]);
            assertThat(r.statusCode()).as(c[0] + " " + r.body()).isEqualTo(400);
            assertThat(json(r).get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
    }
}

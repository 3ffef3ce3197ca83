package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.MetricType;
import io.datacat.server.testing.DefaultBuckets;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/** One metric merged across sessions, from each session's series. */
class MetricAggregateTest {
    private static final long S = 1_000_000; // µs in a second

    private static JsonNode body(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A session's series over its first {@code seconds}, one record per second from 1 s. */
    private static MetricSeries series(MetricType type, long seconds, String... records) {
        MetricSeries s = new MetricSeries("m", type, List.of(), 0, seconds * S, 10);
        for (int i = 0; i < records.length; i++) {
            s.add((i + 1) * S, body(records[i]));
        }
        return s;
    }

    private static MetricSeries histogram(double... samples) {
        MetricSeries s = new MetricSeries("frame_time_ms", MetricType.HISTOGRAM, List.of(), 0, 10 * S, 10);
        s.add(S, DefaultBuckets.aggregate(Json.mapper().createObjectNode(), samples));
        return s;
    }

    private static MetricSeries gauge(double... values) {
        MetricSeries s = new MetricSeries("fps", MetricType.GAUGE, List.of(), 0, 100 * S, 10);
        for (int i = 0; i < values.length; i++) {
            s.add((i + 1) * S, Json.mapper().createObjectNode().put("value", values[i]));
        }
        return s;
    }

    @Test
    void countersAddUpAcrossSessionsAndTheirRateSpansEverySessionsTime() {
        MetricAggregate a = new MetricAggregate(MetricType.COUNTER);
        // 10 + 20 over 2 s (the first record covers the session's first second); then 5 over 1 s.
        a.add(series(MetricType.COUNTER, 10, "{\"value\":10}", "{\"value\":20}"));
        a.add(series(MetricType.COUNTER, 10, "{\"value\":5}"));
        ObjectNode json = a.toJson();

        assertThat(json.get("type").asText()).isEqualTo("counter");
        assertThat(json.get("sessions").asInt()).isEqualTo(2);
        assertThat(json.get("records").asLong()).isEqualTo(3);
        assertThat(json.get("total").asDouble()).isEqualTo(35.0);
        assertThat(json.get("mean_total").asDouble()).isEqualTo(17.5);
        assertThat(json.get("rate").asDouble()).isCloseTo(35 / 3.0, within(1e-9));
    }

    @Test
    void histogramsMergeTheirBucketsAcrossSessions() {
        MetricAggregate a = new MetricAggregate(MetricType.HISTOGRAM);
        a.add(histogram(DefaultBuckets.range(1, 100)));
        a.add(histogram(DefaultBuckets.range(101, 200)));
        ObjectNode json = a.toJson();

        assertThat(json.get("count").asLong()).isEqualTo(200);
        assertThat(json.get("sum").asDouble()).isEqualTo(20_100.0);
        assertThat(json.get("mean").asDouble()).isEqualTo(100.5);
        assertThat(json.get("min").asDouble()).isEqualTo(1.0);
        assertThat(json.get("max").asDouble()).isEqualTo(200.0);
        // The true percentiles of 1..200, within the 6.25% width of a default bucket.
        assertThat(json.get("p50").asDouble()).isCloseTo(100.0, withinPercentage(6.25));
        assertThat(json.get("p95").asDouble()).isCloseTo(190.0, withinPercentage(6.25));
        assertThat(json.get("p99").asDouble()).isCloseTo(198.0, withinPercentage(6.25));
    }

    /** Merging series is the same as one series fed every record: the percentile routine is the series' own. */
    @Test
    void mergedSeriesSummarizeLikeOneSeriesOfAllTheirRecords() {
        MetricSeries both = new MetricSeries("frame_time_ms", MetricType.HISTOGRAM, List.of(), 0, 10 * S, 10);
        both.add(S, DefaultBuckets.aggregate(Json.mapper().createObjectNode(), 3, 7, 7, 30));
        both.add(2 * S, DefaultBuckets.aggregate(Json.mapper().createObjectNode(), 1, 12, 60, 61, 500));
        MetricAggregate a = new MetricAggregate(MetricType.HISTOGRAM);
        a.add(histogram(3, 7, 7, 30));
        a.add(histogram(1, 12, 60, 61, 500));

        ObjectNode merged = a.toJson();
        ObjectNode single = (ObjectNode) both.toJson().get("summary");
        for (String field : List.of("records", "count", "sum", "mean", "min", "max", "p50", "p95", "p99")) {
            assertThat(merged.get(field)).as(field).isEqualTo(single.get(field));
        }
    }

    @Test
    void gaugesGiveEverySampleAndTheDistributionOfEachSessionsLastValue() {
        MetricAggregate a = new MetricAggregate(MetricType.GAUGE);
        a.add(gauge(60, 30));
        a.add(gauge(90, 60));
        a.add(gauge(50, 45));
        a.add(gauge(50));
        ObjectNode json = a.toJson();

        assertThat(json.get("samples").asLong()).isEqualTo(7);
        assertThat(json.get("avg").asDouble()).isCloseTo(385 / 7.0, within(1e-9));
        assertThat(json.get("min").asDouble()).isEqualTo(30.0);
        assertThat(json.get("max").asDouble()).isEqualTo(90.0);
        JsonNode last = json.get("last");
        // Last values 30, 45, 50, 60.
        assertThat(last.get("sessions").asLong()).isEqualTo(4);
        assertThat(last.get("mean").asDouble()).isEqualTo(46.25);
        assertThat(last.get("min").asDouble()).isEqualTo(30.0);
        assertThat(last.get("max").asDouble()).isEqualTo(60.0);
        assertThat(last.get("p50").asDouble()).isEqualTo(45.0);
        assertThat(last.get("p95").asDouble()).isBetween(50.0, 60.0);
    }

    @Test
    void aSeriesOfAnotherTypeIsLeftOut() {
        MetricAggregate a = new MetricAggregate(MetricType.GAUGE);
        assertThat(a.add(gauge(60))).isTrue();
        assertThat(a.add(series(MetricType.COUNTER, 10, "{\"value\":1000}"))).isFalse();
        ObjectNode json = a.toJson();
        assertThat(json.get("sessions").asInt()).isEqualTo(1);
        assertThat(json.get("max").asDouble()).isEqualTo(60.0);
    }

    @Test
    void versionsAreComparedMostSessionsFirstAndBounded() {
        MetricAggregates aggregates = new MetricAggregates();
        assertThat(aggregates.all().isNull()).as("no session had the metric").isTrue();
        // Newest first: 1.2 twice, 1.1 once, 1.0 twice, and a counter of the same name that does not merge.
        aggregates.add("1.2", gauge(50));
        aggregates.add("1.1", gauge(40));
        aggregates.add("1.0", gauge(30));
        aggregates.add("1.2", gauge(70));
        aggregates.add("1.0", gauge(20));
        aggregates.add("0.9", series(MetricType.COUNTER, 10, "{\"value\":1}"));

        assertThat(aggregates.all().get("sessions").asInt()).isEqualTo(5);
        assertThat(aggregates.all().at("/last/max").asDouble()).isEqualTo(70.0);
        assertThat(aggregates.versions()).isEqualTo(3);
        JsonNode all = aggregates.byVersion(10);
        assertThat(all.findValuesAsText("version")).as("ties: the newest session's version first")
                .containsExactly("1.2", "1.0", "1.1");
        assertThat(all.at("/0/sessions").asInt()).isEqualTo(2);
        assertThat(all.at("/0/avg").asDouble()).isEqualTo(60.0);
        assertThat(all.at("/1/max").asDouble()).isEqualTo(30.0);
        assertThat(aggregates.byVersion(2).findValuesAsText("version")).containsExactly("1.2", "1.0");
    }
}

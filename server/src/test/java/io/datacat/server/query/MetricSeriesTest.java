package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.MetricType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricSeriesTest {
    private static final long S = 1_000_000; // µs in a second

    private static JsonNode body(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Double> doubles(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asDouble).toList();
    }

    @Test
    void percentilesComeFromTheMergedBucketsOfEveryAggregate() {
        MetricSeries s = new MetricSeries("frame_time_ms", MetricType.HISTOGRAM, List.of(), 0, 10 * S, 1);
        // 100 samples: 50 in (0, 10], 40 in (10, 20], 9 in (20, 40], 1 above 40 (max 100).
        s.add(1 * S, body("{\"value\":12,\"count\":60,\"sum\":700,\"min\":2,\"max\":100,\"buckets\":["
                + "{\"le\":10,\"count\":30},{\"le\":20,\"count\":24},{\"le\":40,\"count\":5},{\"le\":\"+Inf\",\"count\":1}]}"));
        s.add(2 * S, body("{\"value\":12,\"count\":40,\"sum\":500,\"min\":3,\"max\":30,\"buckets\":["
                + "{\"le\":10,\"count\":20},{\"le\":20,\"count\":16},{\"le\":40,\"count\":4}]}"));
        ObjectNode summary = (ObjectNode) s.toJson().get("summary");

        assertThat(summary.get("count").asLong()).isEqualTo(100);
        assertThat(summary.get("mean").asDouble()).isEqualTo(12.0);
        assertThat(summary.get("min").asDouble()).isEqualTo(2.0);
        assertThat(summary.get("max").asDouble()).isEqualTo(100.0);
        // rank 50 is the last sample of the first bucket; 95 is 5 into the 9 of (20, 40]; 99 the last of those.
        assertThat(summary.get("p50").asDouble()).isCloseTo(10.0, within(1e-9));
        assertThat(summary.get("p95").asDouble()).isCloseTo(20 + 20 * 5 / 9.0, within(1e-9));
        assertThat(summary.get("p99").asDouble()).isCloseTo(40.0, within(1e-9));
    }

    /** 90 samples of 10 and 10 of 1000: the empty buckets between them must not be read as one wide one. */
    @Test
    void aGapBetweenBucketsIsNotReadAsOneWideBucket() {
        MetricSeries s = new MetricSeries("load_ms", MetricType.HISTOGRAM, List.of(), 0, 10 * S, 1);
        // As the client sends it: the bound below each hit bucket whose neighbour was not hit.
        s.add(S, body("{\"value\":109,\"count\":100,\"sum\":10900,\"min\":10,\"max\":1000,\"buckets\":["
                + "{\"le\":9.5,\"count\":0},{\"le\":10,\"count\":90},{\"le\":960,\"count\":0},"
                + "{\"le\":1024,\"count\":10}]}"));
        JsonNode summary = s.toJson().get("summary");
        assertThat(summary.get("p50").asDouble()).isCloseTo(10.0, within(0.5));
        // Rank 95 and 99 lie in (960, 1000]: the old reading, from 10 to 1000, gave 505 and 901.
        assertThat(summary.get("p95").asDouble()).isBetween(960.0, 1000.0);
        assertThat(summary.get("p99").asDouble()).isBetween(960.0, 1000.0);
    }

    @Test
    void singleSamplesAreExactEvenAcrossAGap() {
        MetricSeries s = new MetricSeries("load_ms", MetricType.HISTOGRAM, List.of(), 0, 10 * S, 1);
        s.add(S, body("{\"value\":1}"));
        for (int i = 0; i < 100; i++) {
            s.add(2 * S, body("{\"value\":1000}"));
        }
        JsonNode summary = s.toJson().get("summary");
        assertThat(summary.get("p50").asDouble()).isEqualTo(1000.0);
        assertThat(summary.get("p95").asDouble()).isEqualTo(1000.0);
        assertThat(summary.get("p99").asDouble()).isEqualTo(1000.0);
    }

    /** A gauge at 60, silent for 40 s, then at 20: the chart must break its line, not ramp from 60 to 20. */
    @Test
    void aSilenceIsAPointOfNullsSoTheChartBreaksItsLine() {
        MetricSeries s = new MetricSeries("fps", MetricType.GAUGE, List.of(), 0, 80 * S, 160);
        for (int sec = 0; sec <= 20; sec++) {
            s.add(sec * S, body("{\"value\":60}"));
        }
        for (int sec = 60; sec <= 80; sec++) {
            s.add(sec * S, body("{\"value\":20}"));
        }
        JsonNode points = s.toJson().get("points");

        List<Integer> nulls = new ArrayList<>();
        for (int i = 0; i < points.get("avg").size(); i++) {
            if (points.get("avg").get(i).isNull()) {
                nulls.add(i);
            }
        }
        assertThat(nulls).as("one break, at the silence").hasSize(1);
        int gap = nulls.get(0);
        assertThat(points.at("/t/" + gap).asLong()).isBetween(20 * S, 21 * S);
        assertThat(points.at("/avg/" + (gap - 1)).asDouble()).isEqualTo(60.0);
        assertThat(points.at("/avg/" + (gap + 1)).asDouble()).isEqualTo(20.0);
        for (String field : List.of("t", "min", "max", "last")) {
            assertThat(points.get(field)).as(field).hasSize(21 + 1 + 21);
        }
        assertThat(points.get("min").get(gap).isNull()).isTrue();
    }

    @Test
    void aMetricSentLessOftenThanTheBucketsAreWideHasNoGaps() {
        // Every 5 s in 1 s buckets: four buckets without records between records all along, each
        // covered by the next record's window, and no silence.
        MetricSeries s = new MetricSeries("shots", MetricType.COUNTER, List.of(), 0, 100 * S, 100);
        for (int sec = 5; sec <= 100; sec += 5) {
            s.add(sec * S, body("{\"value\":1}"));
        }
        JsonNode points = s.toJson().get("points");
        assertThat(points.get("rate")).noneMatch(JsonNode::isNull);
        assertThat(doubles(points.get("rate"))).allSatisfy(r -> assertThat(r).isCloseTo(0.2, within(1e-5)));
        assertThat(points.get("total").get(points.get("total").size() - 1).asDouble()).isEqualTo(20.0);
    }

    @Test
    void singleSamplesWithoutBucketsGiveExactPercentiles() {
        MetricSeries s = new MetricSeries("load_ms", MetricType.TIMER, List.of(), 0, 100 * S, 4);
        for (int i = 1; i <= 100; i++) {
            s.add(i * S - 1, body("{\"value\":" + i + "}"));
        }
        JsonNode json = s.toJson();
        assertThat(json.at("/summary/p50").asDouble()).isEqualTo(50.0);
        assertThat(json.at("/summary/p99").asDouble()).isEqualTo(99.0);
        // 100 records in 4 buckets of 25 s: four points, each with its own percentiles.
        assertThat(json.at("/points/t")).hasSize(4);
        assertThat(doubles(json.at("/points/count"))).containsExactly(25.0, 25.0, 25.0, 25.0);
        assertThat(doubles(json.at("/points/max"))).containsExactly(25.0, 50.0, 75.0, 100.0);
    }

    @Test
    void countersGiveTotalsAndRatesOverTheIntervalsTheirRecordsCover() {
        // One record per second, as a client flushing every second sends them.
        MetricSeries s = new MetricSeries("shots", MetricType.COUNTER, List.of("weapon:blaster"), 0, 10 * S, 2);
        for (int i = 1; i <= 10; i++) {
            s.add(i * S, body("{\"value\":" + (i <= 5 ? 2 : 6) + "}"));
        }
        JsonNode json = s.toJson();
        assertThat(json.at("/summary/total").asDouble()).isEqualTo(40.0);
        assertThat(json.at("/summary/rate").asDouble()).isEqualTo(4.0);
        assertThat(doubles(json.at("/points/sum"))).containsExactly(10.0, 30.0);
        assertThat(doubles(json.at("/points/rate"))).satisfiesExactly(r -> assertThat(r).isCloseTo(2.0, within(1e-5)),
                r -> assertThat(r).isCloseTo(6.0, within(1e-5)));
        assertThat(doubles(json.at("/points/total"))).containsExactly(10.0, 40.0);
        assertThat(json.get("tags").get(0).asText()).isEqualTo("weapon:blaster");
    }

    @Test
    void aCounterSentAfterASilenceIsRatedOverItsOwnIntervalNotTheSilence() {
        MetricSeries s = new MetricSeries("shots", MetricType.COUNTER, List.of(), 0, 10 * S, 10);
        s.add(S, body("{\"value\":10,\"interval_ms\":1000}"));
        // Silent for 3 s, then 100 increments within one client metrics interval.
        s.add(5 * S, body("{\"value\":100,\"interval_ms\":1000}"));
        JsonNode json = s.toJson();
        assertThat(doubles(json.at("/points/rate"))).satisfiesExactly(r -> assertThat(r).isCloseTo(10.0, within(1e-4)),
                r -> assertThat(r).isCloseTo(100.0, within(1e-4)));
        // Over the 5 s from the first window's start to the last record, the idle 3 s included.
        assertThat(json.at("/summary/rate").asDouble()).isEqualTo(110 / 5.0);
        assertThat(json.at("/summary/total").asDouble()).isEqualTo(110.0);
    }

    @Test
    void aRangeStartingWithinTheSessionLeavesItsFirstCounterRecordOutOfTheRate() {
        // 10 increments a second; the range starts just before a record, whose interval began before it.
        MetricSeries s = new MetricSeries("shots", MetricType.COUNTER, List.of(), 5 * S - 1000, 10 * S, 5);
        s.startsWithinSession();
        for (int sec = 5; sec <= 10; sec++) {
            s.add(sec * S, body("{\"value\":10}"));
        }
        JsonNode json = s.toJson();
        assertThat(json.at("/summary/total").asDouble()).isEqualTo(60.0);
        assertThat(json.at("/summary/rate").asDouble()).isEqualTo(10.0);
        // No spike at the start: the first record's increments, whose window is unknown, are
        // left out, and the next windows spread over the buckets they cover.
        assertThat(doubles(json.at("/points/rate"))).allSatisfy(r -> assertThat(r).isBetween(9.9, 10.01));
    }

    /** One increment every 5 s, each in its own client metrics interval: idle time is time too. */
    @Test
    void aSparseCountersRateCountsTheIdleTimeBetweenItsRecords() {
        MetricSeries s = new MetricSeries("sparse", MetricType.COUNTER, List.of(), 0, 30 * S, 10);
        for (int sec = 5; sec <= 30; sec += 5) {
            s.add(sec * S, body("{\"value\":1,\"interval_ms\":1000}"));
        }
        JsonNode json = s.toJson();
        assertThat(json.at("/summary/rate").asDouble()).isCloseTo(6 / 26.0, within(1e-9));
        assertThat(doubles(json.at("/points/rate"))).allSatisfy(r -> assertThat(r).isCloseTo(1 / 3.0, within(1e-3)));
    }

    /** Two tag sets' running totals, 1 ms apart every 5 s, each growing 10 a second: 20 a second together. */
    @Test
    void tagSetsMergedIntoOneSeriesKeepAWindowEach() {
        MetricSeries s = new MetricSeries("kills", MetricType.COUNTER, List.of(), 0, 60 * S, 30);
        for (int k = 0; k <= 10; k++) {
            s.add(k * 5 * S, body("{\"value\":" + (k * 50) + ",\"cumulative\":true,\"tags\":[\"team:a\"]}"));
            s.add(k * 5 * S + 1000, body("{\"value\":" + (k * 50) + ",\"cumulative\":true,\"tags\":[\"team:b\"]}"));
        }
        JsonNode json = s.toJson();
        // Each tag set's record covers the 5 s since that tag set's last one (not the 1 ms since
        // the other tag set's), and both windows count in every bucket they cover; the last
        // bucket holds only the last 1 ms of team b's last window, so its average is tiny.
        List<Double> rates = doubles(json.at("/points/rate"));
        assertThat(rates.subList(0, rates.size() - 1)).allSatisfy(r -> assertThat(r).isCloseTo(20.0, within(0.01)));
        assertThat(rates.get(rates.size() - 1)).isCloseTo(0.005, within(1e-6));
        assertThat(json.at("/summary/rate").asDouble()).isCloseTo(20.0, within(0.01));
        assertThat(json.at("/summary/total").asDouble()).isEqualTo(1000.0);
    }

    /**
     * A sparse counter, one increment a second every 5 s, in buckets of 5 s, 1 s and 100 ms,
     * edges anywhere: no point above the rate within a window, and nothing lost between points.
     */
    @Test
    void aSparseCountersRateIsNeitherInflatedNorLostWhereverBucketEdgesFall() {
        for (int points : new int[] {12, 60, 600}) {
            long t0 = 1_000 * S;
            MetricSeries s = new MetricSeries("hits", MetricType.COUNTER, List.of(), t0, t0 + 60 * S, points);
            for (int k = 1; k <= 11; k++) {
                s.add(t0 + k * 5 * S + 37_000, body("{\"value\":1,\"interval_ms\":1000}"));
            }
            JsonNode json = s.toJson();
            List<Double> rates = doubles(json.at("/points/rate"));
            double width = 60.0 / points;
            assertThat(rates).as("points=%d", points).allSatisfy(r -> assertThat(r).isLessThanOrEqualTo(1.0 + 1e-3));
            assertThat(rates.stream().mapToDouble(r -> r * width).sum()).as("points=%d", points)
                    .isCloseTo(11.0, within(0.01));
        }
    }

    @Test
    void aTotalPastTheLargestDoubleIsNullNotTheTextInfinity() {
        MetricSeries s = new MetricSeries("huge", MetricType.COUNTER, List.of(), 0, 10 * S, 3);
        for (int sec = 1; sec <= 3; sec++) {
            s.add(sec * S, body("{\"value\":1.7e308,\"interval_ms\":1000}"));
        }
        JsonNode json = s.toJson();
        assertThat(json.toString()).doesNotContain("Infinity");
        assertThat(json.at("/summary/total").isNull()).isTrue();
    }

    /** A Java client's counter: 1 s windows, then 70 s of nothing, then a burst: the line breaks. */
    @Test
    void aCountersLineBreaksAcrossAStretchNoWindowCovers() {
        MetricSeries s = new MetricSeries("c", MetricType.COUNTER, List.of(), 0, 100 * S, 200);
        for (int sec = 1; sec <= 10; sec++) {
            s.add(sec * S, body("{\"value\":5,\"interval_ms\":1000}"));
        }
        s.add(81 * S, body("{\"value\":50,\"interval_ms\":1000}"));
        s.add(82 * S, body("{\"value\":50,\"interval_ms\":1000}"));
        JsonNode points = s.toJson().get("points");
        List<Long> nullsAt = new ArrayList<>();
        for (int i = 0; i < points.get("rate").size(); i++) {
            if (points.get("rate").get(i).isNull()) {
                nullsAt.add(points.get("t").get(i).asLong());
            }
        }
        assertThat(nullsAt).hasSize(1);
        assertThat(nullsAt.get(0)).isBetween(10 * S, 11 * S);
    }

    /** Negative increments cover their windows as positive ones do: a point per bucket, no false break. */
    @Test
    void aFallingCounterHasAPointInEveryBucketItsWindowsCover() {
        MetricSeries s = new MetricSeries("c", MetricType.COUNTER, List.of(), 0, 30 * S, 15);
        for (int sec = 1; sec <= 5; sec++) {
            s.add(sec * S, body("{\"value\":-1}"));
        }
        s.add(30 * S, body("{\"value\":-25}"));
        JsonNode points = s.toJson().get("points");
        assertThat(points.get("rate")).noneMatch(JsonNode::isNull);
        assertThat(doubles(points.get("rate"))).allSatisfy(r -> assertThat(r).isCloseTo(-1.0, within(1e-3)));
        assertThat(points.get("t")).hasSize(15);
    }

    @Test
    void aLoneRecordAtTheRangesStartHasNoRate() {
        for (int points : new int[] {1, 200}) {
            MetricSeries s = new MetricSeries("c", MetricType.COUNTER, List.of(), 0, 0, points);
            s.add(0, body("{\"value\":10}"));
            JsonNode json = s.toJson();
            assertThat(json.at("/points/rate/0").isNull()).as("points=%d", points).isTrue();
            assertThat(json.at("/summary/rate").isNull()).isTrue();
            assertThat(json.at("/points/total/0").asDouble()).isEqualTo(10.0);
        }
    }

    /** Zoomed in: 100 ms buckets, records summing a second each. */
    @Test
    void aRecordSummingASecondIsNoSpikeInANarrowBucket() {
        MetricSeries s = new MetricSeries("shots", MetricType.COUNTER, List.of(), 0, 10 * S, 100);
        for (int sec = 1; sec <= 10; sec++) {
            s.add(sec * S, body("{\"value\":10,\"interval_ms\":1000}"));
        }
        assertThat(doubles(s.toJson().at("/points/rate"))).allSatisfy(r -> assertThat(r).isCloseTo(10.0, within(0.01)));
    }

    @Test
    void cumulativeCountersAreTurnedIntoIncrementsAndSurviveARestartOfTheCount() {
        MetricSeries s = new MetricSeries("kills", MetricType.COUNTER, List.of(), 0, 10 * S, 1);
        for (double total : new double[] {5, 7, 12, 3, 4}) { // the sender restarted after 12
            s.add(S, body("{\"value\":" + total + ",\"cumulative\":true}"));
        }
        assertThat(s.toJson().at("/summary/total").asDouble()).isEqualTo(12 + 4);
    }

    @Test
    void cumulativeCountersKeepATotalPerTagSetAndCanCountFromAnEarlierOne() {
        MetricSeries s = new MetricSeries("shots", MetricType.COUNTER, List.of(), 0, 10 * S, 1);
        s.seed(List.of("hand:left", "weapon:a"), 100); // the last total of that tag set before the range
        s.add(S, body("{\"value\":110,\"cumulative\":true,\"tags\":[\"weapon:a\",\"hand:left\"]}"));
        s.add(2 * S, body("{\"value\":5,\"cumulative\":true,\"tags\":[\"weapon:b\"]}"));
        s.add(3 * S, body("{\"value\":120,\"cumulative\":true,\"tags\":[\"hand:left\",\"weapon:a\"]}"));
        s.add(4 * S, body("{\"value\":7,\"cumulative\":true,\"tags\":[\"weapon:b\"]}"));
        assertThat(s.toJson().at("/summary/total").asDouble()).isEqualTo(10 + 5 + 10 + 2);
    }

    @Test
    void bucketsOfARangeOfCenturiesInMicrosecondsDoNotOverflow() {
        long from = -62_135_596_800_000_000L; // 0001-01-01T00:00:00Z
        long ts = 1_764_294_000_000_000L;
        MetricSeries s = new MetricSeries("fps", MetricType.GAUGE, List.of(), from, ts, 1_000);
        s.add(ts, body("{\"value\":60}"));
        long t = s.toJson().at("/points/t/0").asLong();
        assertThat(t).isBetween(ts - (ts - from) / 1_000 - 1, ts);
        assertThat(MetricSeries.scale(Long.MAX_VALUE - 1, 1_000, Long.MAX_VALUE)).isEqualTo(999);
    }

    @Test
    void gaugesGiveAverageMinMaxAndLastPerBucket() {
        MetricSeries s = new MetricSeries("fps", MetricType.GAUGE, List.of(), 0, 4 * S - 1, 2);
        s.add(0, body("{\"value\":60}"));
        s.add(S, body("{\"value\":40}"));
        s.add(3 * S, body("{\"value\":30}"));
        JsonNode json = s.toJson();
        assertThat(doubles(json.at("/points/avg"))).containsExactly(50.0, 30.0);
        assertThat(doubles(json.at("/points/min"))).containsExactly(40.0, 30.0);
        assertThat(doubles(json.at("/points/last"))).containsExactly(40.0, 30.0);
        assertThat(json.at("/summary/avg").asDouble()).isCloseTo(130 / 3.0, within(1e-9));
        assertThat(json.at("/points/t").get(1).asLong()).isEqualTo(2 * S);
    }
}

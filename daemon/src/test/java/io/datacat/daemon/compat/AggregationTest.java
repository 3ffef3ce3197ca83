package io.datacat.daemon.compat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AggregationTest {

    @Test
    void aSampleCountsInTheFirstBucketItDoesNotExceedAndAboveEveryBoundInPlusInf() {
        Histogram h = new Histogram(new double[] {1, 5, 10});
        for (double v : new double[] {0.5, 1, 1.01, 5, 7, 10, 11, 1000}) {
            h.add(v);
        }

        assertThat(new long[] {h.bucketCount(0), h.bucketCount(1), h.bucketCount(2), h.bucketCount(3)})
                .containsExactly(2, 2, 2, 2);
        assertThat(h.count()).isEqualTo(8);
        assertThat(h.sum()).isEqualTo(1035.51);
        assertThat(h.min()).isEqualTo(0.5);
        assertThat(h.max()).isEqualTo(1000);
        assertThat(h.mean()).isEqualTo(1035.51 / 8);
        assertThat(h.bucketsJson().toString()).isEqualTo("[{\"le\":1.0,\"count\":2},{\"le\":5.0,\"count\":2},"
                + "{\"le\":10.0,\"count\":2},{\"le\":\"+Inf\",\"count\":2}]");
    }

    @Test
    void bucketBoundsAcceptInfinitySpellingsAndAreSortedWithoutRepeats() {
        ObjectNode m = Json.parseObject("{\"buckets\":[10, \"inf\", 1, 5, 1, \"+Inf\", \"Infinity\"]}".getBytes());

        double[] bounds = MetricAggregator.bounds(m.get("buckets"));

        assertThat(bounds).containsExactly(1, 5, 10, Double.POSITIVE_INFINITY);
        assertThat(new Histogram(bounds).bucketsJson()).hasSize(4);
        assertThat(MetricAggregator.bounds(null)).isEqualTo(MetricAggregator.DEFAULT_BOUNDS);
        assertThatThrownBy(() -> MetricAggregator.bounds(Json.parse("[1, true]".getBytes())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("metadata.buckets[1]");
    }

    @Test
    void countersSumPerSeriesWhateverTheTagOrderAndResetAfterAFlush() {
        MetricAggregator agg = new MetricAggregator(100, 1L << 30);
        agg.addCounter("s", "kills", List.of("b", "a"), 2, null);
        agg.addCounter("s", "kills", List.of("a", "b"), 3.5, null);
        agg.addCounter("s", "kills", List.of("a"), 1, null);
        agg.addCounter("other", "kills", List.of("a"), 100, null);

        List<ObjectNode> pending = agg.pending("s");

        assertThat(pending).hasSize(2);
        assertThat(pending.get(0).get("value").asDouble()).isEqualTo(5.5);
        assertThat(pending.get(0).get("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(pending.get(0).get("type").asText()).isEqualTo("counter");
        assertThat(pending.get(1).get("value").asDouble()).isEqualTo(1);
        agg.clear("s");
        assertThat(agg.pending("s")).isEmpty();
        assertThat(agg.sessionsWithData()).containsExactly("other");
        agg.addCounter("s", "kills", List.of("a"), 4, null);
        assertThat(agg.pending("s").get(0).get("value").asDouble()).as("an increment, not a total").isEqualTo(4);
    }

    @Test
    void histogramsWithDifferentBoundsAreDifferentSeries() {
        MetricAggregator agg = new MetricAggregator(100, 1L << 30);
        agg.addHistogram("s", "lag", List.of(), new double[] {1, 2}, 1.5, "ms", null);
        agg.addHistogram("s", "lag", List.of(), new double[] {1, 2}, 0.5, "ms", null);
        agg.addHistogram("s", "lag", List.of(), new double[] {10}, 3, "ms", null);

        List<ObjectNode> pending = agg.pending("s");

        assertThat(pending).hasSize(2);
        ObjectNode first = pending.get(0);
        assertThat(first.get("count").asLong()).isEqualTo(2);
        assertThat(first.get("value").asDouble()).isEqualTo(1.0);
        assertThat(first.get("min").asDouble()).isEqualTo(0.5);
        assertThat(first.get("max").asDouble()).isEqualTo(1.5);
        assertThat(first.get("buckets").toString())
                .isEqualTo("[{\"le\":1.0,\"count\":1},{\"le\":2.0,\"count\":1},{\"le\":\"+Inf\",\"count\":0}]");
    }

    @Test
    void theNumberOfSeriesPerSessionIsBounded() {
        MetricAggregator agg = new MetricAggregator(2, 1L << 30);
        agg.addCounter("s", "a", List.of(), 1, null);
        agg.addCounter("s", "b", List.of(), 1, null);
        agg.addCounter("s", "a", List.of(), 1, null);

        assertThatThrownBy(() -> agg.addCounter("s", "c", List.of(), 1, null))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("2 counter and histogram series");
    }

    @Test
    void theMemoryAllSessionsSeriesHoldIsBoundedAndFreedByAFlush() {
        double[] bounds = new double[255];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = i + 1;
        }
        MetricAggregator agg = new MetricAggregator(10_000, 1L << 20);
        int held = 0;
        try {
            for (; held < 10_000; held++) {
                agg.addHistogram(held % 2 == 0 ? "s1" : "s2", "h" + held, List.of(), bounds, 1, null, null);
            }
        } catch (InvalidInputException e) {
            assertThat(e.getMessage()).contains("KiB of counter and histogram series");
        }
        // About 8 KiB a series of 256 buckets (its key holds the bounds): a MiB holds over a hundred.
        assertThat(held).isBetween(100, 200);
        assertThatThrownBy(() -> agg.addHistogram("s3", "other", List.of(), bounds, 1, null, null))
                .isInstanceOf(InvalidInputException.class);
        // An existing series still takes samples.
        agg.addHistogram("s1", "h0", List.of(), bounds, 2, null, null);

        agg.clear("s1");
        agg.clear("s2");
        agg.addHistogram("s1", "again", List.of(), bounds, 1, null, null);
        assertThat(agg.pending("s1")).hasSize(1);
    }
}

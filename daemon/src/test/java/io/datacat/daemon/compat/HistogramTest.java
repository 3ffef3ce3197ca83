package io.datacat.daemon.compat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistogramTest {

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

        double[] bounds = Histogram.bounds(m.get("buckets"));

        assertThat(bounds).containsExactly(1, 5, 10, Double.POSITIVE_INFINITY);
        assertThat(new Histogram(bounds).bucketsJson()).hasSize(4);
        assertThat(Histogram.bounds(null)).isEqualTo(Histogram.DEFAULT_BOUNDS);
        assertThatThrownBy(() -> Histogram.bounds(Json.parse("[1, true]".getBytes())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("metadata.buckets[1]");
    }
}

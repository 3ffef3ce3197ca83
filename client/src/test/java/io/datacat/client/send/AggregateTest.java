package io.datacat.client.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.datacat.client.encode.JsonWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AggregateTest {
    private static JsonNode fields(Aggregate a) throws Exception {
        JsonWriter w = new JsonWriter(256);
        w.beginObject();
        a.writeFields(w, 256, 256);
        w.endObject();
        return new ObjectMapper().readTree(w.toByteArray());
    }

    /** The buckets as [le, count] pairs, "+Inf" as infinity. */
    private static List<double[]> buckets(JsonNode record) {
        List<double[]> out = new ArrayList<>();
        for (JsonNode b : record.get("buckets")) {
            double le = b.get("le").isNumber() ? b.get("le").asDouble() : Double.POSITIVE_INFINITY;
            out.add(new double[] {le, b.get("count").asLong()});
        }
        return out;
    }

    @Test
    void aGapBetweenHitBucketsIsClosedByTheBoundBelowTheNextOne() throws Exception {
        Aggregate a = new Aggregate(MetricKind.HISTOGRAM, "h", new String[0], null, null);
        for (int i = 0; i < 90; i++) {
            a.add(10, 1);
        }
        for (int i = 0; i < 10; i++) {
            a.add(1000, 2);
        }
        List<double[]> b = buckets(fields(a));

        int ten = Buckets.index(10);
        int thousand = Buckets.index(1000);
        assertThat(b).hasSize(4);
        assertThat(b.get(0)).containsExactly(Buckets.upperBound(ten - 1), 0);
        assertThat(b.get(1)).containsExactly(10, 90);
        assertThat(b.get(2)).containsExactly(Buckets.upperBound(thousand - 1), 0);
        assertThat(b.get(3)).containsExactly(Buckets.upperBound(thousand), 10);
    }

    @Test
    void adjacentHitBucketsNeedNoBoundBetweenThem() throws Exception {
        Aggregate a = new Aggregate(MetricKind.HISTOGRAM, "h", new String[0], null, null);
        a.add(Buckets.upperBound(0), 1); // the lowest bucket has nothing below it
        a.add(Buckets.upperBound(1), 1);
        a.add(0, 1);
        a.add(Buckets.upperBound(Buckets.ZERO + 1), 1);
        List<double[]> b = buckets(fields(a));
        assertThat(b).extracting(e -> e[0]).containsExactly(Buckets.upperBound(0), Buckets.upperBound(1),
                Buckets.upperBound(Buckets.ZERO - 1), 0.0, Buckets.upperBound(Buckets.ZERO + 1));
    }

    @Test
    void explicitBoundsAreClosedTheSameWay() throws Exception {
        Aggregate a = new Aggregate(MetricKind.HISTOGRAM, "h", new String[0], null, new double[] {1, 2, 3, 4});
        a.add(0.5, 1);
        a.add(3.5, 1);
        a.add(9, 1);
        List<double[]> b = buckets(fields(a));
        assertThat(b).hasSize(4);
        assertThat(b.get(0)).containsExactly(1, 1);
        assertThat(b.get(1)).containsExactly(3, 0);
        assertThat(b.get(2)).containsExactly(4, 1);
        assertThat(b.get(3)).containsExactly(Double.POSITIVE_INFINITY, 1);
    }

    @Test
    void samplesSpreadOverEveryPowerOfTwoStayWithinTheProtocolsBucketLimit() throws Exception {
        Aggregate a = new Aggregate(MetricKind.HISTOGRAM, "h", new String[0], null, null);
        int hit = 0;
        for (int i = 1; i < Buckets.INF; i += 2) { // every other bucket: the most bounds to add
            a.add(Buckets.upperBound(i), 1);
            hit++;
        }
        List<double[]> b = buckets(fields(a));
        assertThat(b.size()).isLessThanOrEqualTo(Aggregate.MAX_BUCKETS);
        for (int i = 1; i < b.size(); i++) {
            assertThat(b.get(i)[0]).isGreaterThan(b.get(i - 1)[0]);
        }
        assertThat(b.stream().mapToDouble(e -> e[1]).sum()).isEqualTo(hit);
    }

    @Test
    void moreBoundsThanARecordCarriesAreRefusedWhenTheHandleIsMade() {
        double[] bounds = new double[Aggregate.MAX_BUCKETS];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = i;
        }
        assertThatThrownBy(() -> new MetricKey("h", null, MetricKind.HISTOGRAM, null, bounds))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 255 bucket bounds");
    }
}

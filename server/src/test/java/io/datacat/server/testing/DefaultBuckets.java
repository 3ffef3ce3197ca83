package io.datacat.server.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;

/**
 * Histogram aggregates as the Java client sends them with its default buckets (log-linear, 16
 * per power of two, each at most 6.25% wide; the client's {@code Buckets}), for positive samples.
 */
public final class DefaultBuckets {
    private DefaultBuckets() {
    }

    /** The upper bound of the default bucket a positive sample falls in. */
    public static double upperBound(double v) {
        int e = Math.getExponent(v);
        int sub = (int) Math.ceil((Math.scalb(v, -e) - 1) * 16) - 1;
        // Exactly a power of two is the upper bound of the previous power's last bucket: itself.
        return sub < 0 ? v : Math.scalb(1 + (sub + 1) / 16.0, e);
    }

    /** Sets the aggregate fields of a histogram record of these samples: value, count, sum, min, max, buckets. */
    public static ObjectNode aggregate(ObjectNode record, double... samples) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        Map<Double, Long> counts = new TreeMap<>();
        for (double v : samples) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
            counts.merge(upperBound(v), 1L, Long::sum);
        }
        record.put("value", sum / samples.length).put("count", samples.length).put("sum", sum).put("min", min)
                .put("max", max);
        ArrayNode buckets = record.putArray("buckets");
        counts.forEach((le, c) -> buckets.addObject().put("le", le).put("count", c));
        return record;
    }

    /** {@code from}, {@code from + 1}, …, {@code to}. */
    public static double[] range(int from, int to) {
        double[] out = new double[to - from + 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }
}

package io.datacat.daemon.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordValidator;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * Samples of one histogram series over a flush interval: count, sum, min, max and a count per
 * bucket. Buckets are not cumulative: a sample counts only in the first bucket whose upper
 * bound it does not exceed, and a sample above every finite bound counts in the +Inf bucket,
 * which is always the last.
 */
public final class Histogram {
    /** The compatible daemon's default histogram bounds. */
    public static final double[] DEFAULT_BOUNDS =
            {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0};

    private final double[] bounds;
    private final long[] counts;
    private long count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    /** @param bounds strictly ascending upper bounds; +Inf is added when missing */
    public Histogram(double[] bounds) {
        boolean hasInf = bounds.length > 0 && bounds[bounds.length - 1] == Double.POSITIVE_INFINITY;
        this.bounds = hasInf ? bounds.clone() : Arrays.copyOf(bounds, bounds.length + 1);
        this.bounds[this.bounds.length - 1] = Double.POSITIVE_INFINITY;
        this.counts = new long[this.bounds.length];
    }

    public void add(double value) {
        int i = Arrays.binarySearch(bounds, value);
        counts[i >= 0 ? i : -i - 1]++;
        count++;
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
    }

    /** Its number of buckets, +Inf included. */
    public int buckets() {
        return counts.length;
    }

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /** The count of bucket {@code i} (the last one is +Inf). */
    public long bucketCount(int i) {
        return counts[i];
    }

    /** {@code [{"le": bound or "+Inf", "count": n}, …]} as the protocol's histogram records carry them. */
    public ArrayNode bucketsJson() {
        ArrayNode arr = Json.mapper().createArrayNode();
        for (int i = 0; i < bounds.length; i++) {
            ObjectNode b = arr.addObject();
            if (bounds[i] == Double.POSITIVE_INFINITY) {
                b.put("le", "+Inf");
            } else {
                b.put("le", bounds[i]);
            }
            b.put("count", counts[i]);
        }
        return arr;
    }

    /**
     * The bounds a histogram sample asks for in {@code metadata.buckets}: numbers, or
     * {@code "inf"}, {@code "Infinity"}, {@code "+Inf"} for an open top bucket; sorted and
     * without repeats. Absent or empty means {@link #DEFAULT_BOUNDS}.
     */
    public static double[] bounds(JsonNode buckets) {
        if (buckets == null || buckets.isNull() || buckets.isArray() && buckets.isEmpty()) {
            return DEFAULT_BOUNDS;
        }
        if (!buckets.isArray()) {
            throw new InvalidInputException("metadata.buckets must be an array of upper bounds, e.g. "
                    + "[0.1, 1, 10, \"inf\"]", "metadata.buckets");
        }
        TreeSet<Double> set = new TreeSet<>();
        for (int i = 0; i < buckets.size(); i++) {
            JsonNode b = buckets.get(i);
            if (b.isNumber() && Double.isFinite(b.asDouble())) {
                set.add(b.asDouble());
            } else if (b.isTextual() && RecordValidator.isInfinity(b.asText())) {
                set.add(Double.POSITIVE_INFINITY);
            } else {
                throw new InvalidInputException("metadata.buckets[" + i + "] must be a finite number or \"inf\", got "
                        + Json.describe(b), "metadata.buckets[" + i + "]");
            }
        }
        if (set.size() > Limits.MAX_BUCKETS - 1) {
            throw new InvalidInputException("metadata.buckets holds at most " + (Limits.MAX_BUCKETS - 1)
                    + " bounds", "metadata.buckets");
        }
        return set.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

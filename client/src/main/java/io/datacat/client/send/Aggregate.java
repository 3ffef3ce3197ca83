package io.datacat.client.send;

import io.datacat.client.encode.JsonWriter;

import java.util.Arrays;

/**
 * One metric's aggregate over the current metrics interval, owned by the sender thread:
 * a counter's sum of increments, or a histogram/timer's count, sum, min, max and bucket
 * counts (non-cumulative, sent sparse: only buckets that were hit).
 */
final class Aggregate {
    /** The protocol's limit of buckets per histogram record. */
    static final int MAX_BUCKETS = 256;
    final byte kind;
    final String name;
    final String[] tags;
    final String unit;
    private final double[] bounds;
    private final long[] counts;
    private long calls;
    private double sum;
    private double min;
    private double max;
    private long lastTs;

    Aggregate(byte kind, String name, String[] tags, String unit, double[] bounds) {
        this.kind = kind;
        this.name = name;
        this.tags = tags;
        this.unit = unit;
        this.bounds = bounds;
        this.counts = kind == MetricKind.COUNTER ? null : new long[bounds == null ? Buckets.SIZE : bounds.length + 1];
    }

    void add(double v, long ts) {
        if (calls == 0) {
            min = v;
            max = v;
        } else {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        calls++;
        sum += v;
        lastTs = ts;
        if (counts != null) {
            counts[bounds == null ? Buckets.index(v) : explicitIndex(v)]++;
        }
    }

    private int explicitIndex(double v) {
        int i = Arrays.binarySearch(bounds, v);
        return i >= 0 ? i : -i - 1;
    }

    boolean isEmpty() {
        return calls == 0;
    }

    long calls() {
        return calls;
    }

    long lastTs() {
        return lastTs;
    }

    /** Writes the metric fields after the record's common fields. */
    void writeFields(JsonWriter w, int maxNameChars, int maxTagChars) {
        w.name("name").value(RecordEncoder.nameOrUnnamed(name), maxNameChars);
        w.field("type", MetricKind.wire(kind));
        // Finite values only (the daemon refuses the batch otherwise): a sum of finite
        // samples can still overflow, and then it is sent as the largest double.
        double total = finite(sum);
        if (kind == MetricKind.COUNTER) {
            w.field("value", total);
            w.field("count", calls);
        } else {
            w.field("value", finite(sum / calls));
            w.field("count", calls);
            w.field("sum", total);
            w.field("min", min);
            w.field("max", max);
            writeBuckets(w);
        }
        RecordEncoder.writeTags(w, tags, maxTagChars);
        w.optionalField("unit", unit);
    }

    /**
     * The buckets that were hit, at most {@link #MAX_BUCKETS}. Samples spread over more than
     * about 16 powers of two hit more of the default buckets than that; then neighbouring
     * buckets of each power of two are merged (2, 4, 8 or all 16 together), which keeps every
     * upper bound one of the standard ones, so histograms still merge across sessions.
     */
    private void writeBuckets(JsonWriter w) {
        int merge = 1;
        if (bounds == null) {
            while (merge < Buckets.SUB && bucketEntries(merge, null) > MAX_BUCKETS) {
                merge *= 2;
            }
        }
        w.name("buckets").beginArray();
        bucketEntries(merge, w);
        w.endArray();
    }

    /**
     * Writes (unless {@code w} is null) and counts the entries of the buckets hit, grouped
     * {@code merge} at a time. A bucket spans from the bound before it in the list to its own,
     * so a hit group whose neighbour below was not hit is preceded by that neighbour's bound
     * with a count of 0: without it, a receiver would read a gap (10 → 1000) as one wide bucket.
     */
    private int bucketEntries(int merge, JsonWriter w) {
        int entries = 0;
        long pending = 0;
        boolean belowWritten = true; // nothing lies below the first bucket
        int groupStart = 0;
        for (int i = 0; i < counts.length; i++) {
            pending += counts[i];
            if (!Buckets.endsGroup(i, merge)) {
                continue;
            }
            if (pending != 0) {
                if (!belowWritten && groupStart > 0) {
                    entries += writeBucket(w, groupStart - 1, 0);
                }
                entries += writeBucket(w, i, pending);
            }
            belowWritten = pending != 0;
            pending = 0;
            groupStart = i + 1;
        }
        return entries;
    }

    private int writeBucket(JsonWriter w, int index, long count) {
        if (w != null) {
            w.beginObject();
            double bound = bounds == null ? Buckets.upperBound(index) : (index < bounds.length ? bounds[index]
                    : Double.POSITIVE_INFINITY);
            if (Double.isInfinite(bound)) {
                w.field("le", "+Inf");
            } else {
                w.field("le", bound);
            }
            w.field("count", count);
            w.endObject();
        }
        return 1;
    }

    private static double finite(double v) {
        if (Double.isNaN(v)) {
            return 0;
        }
        return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v));
    }

    void reset() {
        calls = 0;
        sum = 0;
        min = 0;
        max = 0;
        if (counts != null) {
            Arrays.fill(counts, 0);
        }
    }
}

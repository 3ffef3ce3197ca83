package io.datacat.client.send;

import io.datacat.client.encode.JsonWriter;

import java.util.Arrays;

/**
 * One metric's aggregate over the current metrics interval, owned by the sender thread:
 * a counter's sum of increments, or a histogram/timer's count, sum, min, max and bucket
 * counts (non-cumulative, sent sparse: only buckets that were hit).
 */
final class Aggregate {
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
        w.name("name").value(name, maxNameChars);
        w.field("type", MetricKind.wire(kind));
        if (kind == MetricKind.COUNTER) {
            w.field("value", sum);
            w.field("count", calls);
        } else {
            w.field("value", sum / calls);
            w.field("count", calls);
            w.field("sum", sum);
            w.field("min", min);
            w.field("max", max);
            w.name("buckets").beginArray();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    continue;
                }
                w.beginObject();
                double bound = bounds == null ? Buckets.upperBound(i) : (i < bounds.length ? bounds[i]
                        : Double.POSITIVE_INFINITY);
                if (Double.isInfinite(bound)) {
                    w.field("le", "+Inf");
                } else {
                    w.field("le", bound);
                }
                w.field("count", counts[i]);
                w.endObject();
            }
            w.endArray();
        }
        RecordEncoder.writeTags(w, tags, maxTagChars);
        w.optionalField("unit", unit);
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

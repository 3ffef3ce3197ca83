package io.datacat.server.query;

import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.MetricType;

/**
 * One metric merged over the series of many sessions (one series per session): counters give
 * their total, the mean total per session and the rate; histograms and timers the distribution
 * of all their samples, read from the merged buckets of every session; gauges the average, min
 * and max of all their samples and the distribution of each session's last value (the FPS
 * sessions end at).
 */
final class MetricAggregate {
    private final MetricType type;
    private final MetricSeries.Bucket merged = new MetricSeries.Bucket();
    /** Each session's last gauge value, one sample per session. */
    private final MetricSeries.Bucket lastValues = new MetricSeries.Bucket();
    private int sessions;

    MetricAggregate(MetricType type) {
        this.type = type;
    }

    MetricType type() {
        return type;
    }

    int sessions() {
        return sessions;
    }

    /**
     * Adds one session's series. A series of another type (the same name logged as a gauge in
     * one version and a counter in another) does not merge: it is left out, and this answers false.
     */
    boolean add(MetricSeries series) {
        if (series.type() != type) {
            return false;
        }
        MetricSeries.Bucket whole = series.whole();
        merged.merge(whole);
        if (type == MetricType.GAUGE && whole.count > 0) {
            // A record without aggregate fields is a single sample of its value.
            lastValues.distribution(MissingNode.getInstance(), whole.last);
        }
        sessions++;
        return true;
    }

    /**
     * {@code {"type","sessions","records", …}}: counters add {@code total}, {@code mean_total}
     * and {@code rate}; histograms and timers {@code count}, {@code sum}, {@code mean}, {@code min},
     * {@code max}, {@code p50}, {@code p95}, {@code p99}; gauges {@code samples}, {@code avg},
     * {@code min}, {@code max} and {@code last} (the sessions' last values: {@code sessions},
     * {@code mean}, {@code min}, {@code max}, {@code p50}, {@code p95}, {@code p99}).
     */
    ObjectNode toJson() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("type", type.wire());
        n.put("sessions", sessions);
        n.put("records", merged.records);
        if (merged.count == 0) {
            return n;
        }
        switch (type) {
            case COUNTER -> n.put("total", merged.sum).put("mean_total", merged.sum / sessions)
                    .put("rate", merged.rate());
            case HISTOGRAM, TIMER -> merged.putDistribution(n);
            case GAUGE -> {
                n.put("samples", merged.count).put("avg", merged.sum / merged.count).put("min", merged.min)
                        .put("max", merged.max);
                n.putObject("last").put("sessions", lastValues.count).put("mean", lastValues.sum / lastValues.count)
                        .put("min", lastValues.min).put("max", lastValues.max)
                        .put("p50", lastValues.percentile(0.50)).put("p95", lastValues.percentile(0.95))
                        .put("p99", lastValues.percentile(0.99));
            }
        }
        return MetricSeries.finiteOnly(n);
    }
}

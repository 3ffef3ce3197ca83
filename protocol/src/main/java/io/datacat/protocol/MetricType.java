package io.datacat.protocol;

import java.util.Locale;

/** How a metric's values combine; see docs/protocol.md. */
public enum MetricType {
    /** A sample of a value that goes up and down (fps, memory). */
    GAUGE,
    /** Increments, summed into a total. */
    COUNTER,
    /** Samples in buckets, with count, sum, min and max. */
    HISTOGRAM,
    /** Durations, recorded like a histogram. */
    TIMER;

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /** True for the kinds recorded as distributions (histogram and timer). */
    public boolean isDistribution() {
        return this == HISTOGRAM || this == TIMER;
    }

    public static MetricType fromWire(String s) {
        if (s == null) {
            return null;
        }
        for (MetricType t : values()) {
            if (t.wire.equals(s)) {
                return t;
            }
        }
        return null;
    }
}

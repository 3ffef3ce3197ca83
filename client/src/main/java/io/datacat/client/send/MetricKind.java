package io.datacat.client.send;

/** Metric types as stored in a slot's {@code code} byte. */
public final class MetricKind {
    public static final byte GAUGE = 0;
    public static final byte COUNTER = 1;
    public static final byte HISTOGRAM = 2;
    public static final byte TIMER = 3;

    private static final String[] WIRE = {"gauge", "counter", "histogram", "timer"};

    private MetricKind() {
    }

    public static String wire(byte kind) {
        return WIRE[kind];
    }

    /** Counters, histograms and timers are aggregated per interval; gauges are sent sample by sample. */
    public static boolean aggregated(byte kind) {
        return kind != GAUGE;
    }
}

package io.datacat.client;

import io.datacat.client.send.MetricKey;

/**
 * A histogram handle from {@link Session#histogram}: samples are bucketed per metrics
 * interval (count, sum, min, max and bucket counts), no allocation per sample.
 */
public final class Histogram {
    private final BaseSession session;
    private final MetricKey key;

    Histogram(BaseSession session, MetricKey key) {
        this.session = session;
        this.key = key;
    }

    public void record(double value) {
        session.metric(key, value);
    }
}

package io.datacat.client;

import io.datacat.client.send.MetricKey;

/** A gauge handle from {@link Session#gauge}: every sample is kept, no allocation. */
public final class Gauge {
    private final BaseSession session;
    private final MetricKey key;

    Gauge(BaseSession session, MetricKey key) {
        this.session = session;
        this.key = key;
    }

    public void set(double value) {
        session.metric(key, value);
    }
}

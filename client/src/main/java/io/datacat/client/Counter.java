package io.datacat.client;

import io.datacat.client.send.MetricKey;

/** A counter handle from {@link Session#counter}: increments summed per metrics interval, no allocation. */
public final class Counter {
    private final BaseSession session;
    private final MetricKey key;

    Counter(BaseSession session, MetricKey key) {
        this.session = session;
        this.key = key;
    }

    public void increment() {
        session.metric(key, 1);
    }

    public void add(double delta) {
        session.metric(key, delta);
    }
}

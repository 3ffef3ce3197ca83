package io.datacat.bench;

import io.datacat.client.Counter;
import io.datacat.client.Gauge;
import io.datacat.client.Histogram;
import io.datacat.client.Level;
import io.datacat.client.Session;

import java.time.Duration;
import java.util.Map;

/** The workload through a DataCat session (asynchronous or synchronous). */
final class DatacatLogger implements GameLogger {
    private final Session session;
    private final Counter enemies;
    private final Gauge fps;
    private final Histogram frameTime;

    DatacatLogger(Session session) {
        this.session = session;
        this.enemies = session.counter("enemies");
        this.fps = session.gauge("fps_handle");
        this.frameTime = session.histogram("frame_ms");
    }

    Session session() {
        return session;
    }

    @Override
    public void event(String name, Map<String, ?> data) {
        session.logEvent(name, Level.INFO, data);
    }

    @Override
    public void state(Map<String, ?> patch) {
        session.updateState(patch);
    }

    @Override
    public void gauge(String name, double value) {
        session.logGauge(name, value);
    }

    @Override
    public void counter(String name, double delta) {
        session.logCounter(name, delta);
    }

    @Override
    public void histogram(String name, double value) {
        session.logHistogram(name, value);
    }

    @Override
    public void counterHandle() {
        enemies.increment();
    }

    @Override
    public void gaugeHandle(double value) {
        fps.set(value);
    }

    @Override
    public void histogramHandle(double value) {
        frameTime.record(value);
    }

    @Override
    public void heartbeat() {
        session.heartbeat();
    }

    @Override
    public long dropped() {
        return session.stats().dropped();
    }

    @Override
    public void close() {
        session.shutdown(Duration.ofSeconds(10));
    }
}

package io.datacat.bench;

import java.util.Map;

/** Does nothing: measured in the same run, it shows what the timing itself costs. */
final class NoopLogger implements GameLogger {
    @Override
    public void event(String name, Map<String, ?> data) {
    }

    @Override
    public void state(Map<String, ?> patch) {
    }

    @Override
    public void gauge(String name, double value) {
    }

    @Override
    public void counter(String name, double delta) {
    }

    @Override
    public void histogram(String name, double value) {
    }

    @Override
    public void counterHandle() {
    }

    @Override
    public void gaugeHandle(double value) {
    }

    @Override
    public void histogramHandle(double value) {
    }

    @Override
    public void heartbeat() {
    }

    @Override
    public long dropped() {
        return 0;
    }

    @Override
    public void close() {
    }
}

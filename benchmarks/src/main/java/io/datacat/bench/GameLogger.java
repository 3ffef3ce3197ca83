package io.datacat.bench;

import java.util.Map;

/**
 * The calls a game makes from its frame loop, so the same workload can run against DataCat
 * and against the baselines.
 */
interface GameLogger extends AutoCloseable {
    void event(String name, Map<String, ?> data);

    void state(Map<String, ?> patch);

    void gauge(String name, double value);

    void counter(String name, double delta);

    void histogram(String name, double value);

    /** The steady-state form of the three metric calls (handles where the logger has them). */
    void counterHandle();

    void gaugeHandle(double value);

    void histogramHandle(double value);

    void heartbeat();

    /** Records the logger dropped (0 where it cannot tell). */
    long dropped();

    @Override
    void close();
}

package io.datacat.client;

import java.util.concurrent.TimeUnit;

/**
 * Times a block of code: {@code try (Timer t = session.timer("load_level")) { ... }}.
 * Closing it records the elapsed time (ms) once; closing it again does nothing.
 */
public final class Timer implements AutoCloseable {
    private final Session session;
    private final String name;
    private final long start = System.nanoTime();
    private boolean closed;

    Timer(Session session, String name) {
        this.session = session;
        this.name = name;
    }

    /** Nanoseconds since the timer started. */
    public long elapsedNanos() {
        return System.nanoTime() - start;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.logTimer(name, elapsedNanos(), TimeUnit.NANOSECONDS);
        }
    }
}

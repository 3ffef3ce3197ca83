package io.datacat.daemon.session;

import io.datacat.protocol.Timestamps;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The sequence of the daemon's own records ({@code src=daemon}): the wall clock in
 * microseconds, bumped by one on a tie, so it is unique and strictly increasing within the
 * daemon and stays unique across daemons in practice.
 */
public final class DaemonClock {
    private final AtomicLong last = new AtomicLong();

    public long next() {
        return last.updateAndGet(prev -> Math.max(prev + 1, Timestamps.nowMicros()));
    }
}

package io.datacat.client;

import io.datacat.client.send.Front;
import io.datacat.client.send.Pipeline;

/**
 * The synchronous session: every call returns once the daemon has acknowledged the record
 * (it is then on the daemon's disk), or after the sync timeout. Simple and exact, but each
 * call costs a round trip to the daemon: use {@link AsyncSession} in a frame loop.
 */
final class SyncSession extends BaseSession {
    /** Calls from several threads queue up here while one round trip is in flight. */
    static final int QUEUE = 1_024;

    SyncSession(Pipeline pipeline, Front front, long shutdownTimeoutMs) {
        super(pipeline, front, shutdownTimeoutMs);
    }
}

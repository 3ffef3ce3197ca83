package io.datacat.client;

import io.datacat.client.send.Front;
import io.datacat.client.send.Pipeline;

/**
 * A session whose calls never wait: each one copies its record into a preallocated slot of
 * a bounded lock-free ring (tens of nanoseconds, no I/O, no allocation for metric handles)
 * and returns; the sender thread batches, aggregates and delivers. When the queue is full a
 * call is dropped and counted ({@code dropOnFull}, the default) or waits for room.
 *
 * <pre>{@code
 * Session session = Datacat.createSession(SessionOptions.builder("MyGame", "1.0")
 *         .asyncMode(true).build());
 * }</pre>
 */
public final class AsyncSession extends BaseSession {

    /**
     * Wraps a synchronous session: from now on, calls through this object are queued. Both
     * objects keep logging into the same session.
     *
     * @param session    a session made by {@link Datacat#createSession(SessionOptions)}
     * @param queueSize  calls it can hold before dropping (or waiting)
     * @param dropOnFull true: drop and count when full; false: wait for room
     */
    public AsyncSession(Session session, int queueSize, boolean dropOnFull) {
        this(requireDatacat(session), queueSize, dropOnFull);
    }

    private AsyncSession(BaseSession base, int queueSize, boolean dropOnFull) {
        super(base.pipeline, base.pipeline.addFront(checkQueueSize(queueSize), dropOnFull, false),
                base.shutdownTimeoutMs);
    }

    AsyncSession(Pipeline pipeline, Front front, long shutdownTimeoutMs) {
        super(pipeline, front, shutdownTimeoutMs);
    }

    private static BaseSession requireDatacat(Session session) {
        if (!(session instanceof BaseSession)) {
            throw new IllegalArgumentException("AsyncSession wraps a session made by Datacat.createSession, got "
                    + (session == null ? "null" : session.getClass().getName()));
        }
        return (BaseSession) session;
    }

    private static int checkQueueSize(int queueSize) {
        if (queueSize < 1 || queueSize > (1 << 26)) {
            throw new IllegalArgumentException("queueSize must be between 1 and " + (1 << 26) + ", got " + queueSize);
        }
        return queueSize;
    }
}

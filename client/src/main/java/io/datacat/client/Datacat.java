package io.datacat.client;

import io.datacat.client.send.Pipeline;
import io.datacat.client.transport.DaemonHandle;
import io.datacat.client.transport.SpoolSettings;
import io.datacat.client.watch.CrashReporter;
import io.datacat.client.watch.HangWatchdog;

import java.util.UUID;

/**
 * Entry point of the DataCat client.
 *
 * <pre>{@code
 * Session session = Datacat.createSession(SessionOptions.builder("MyGame", "1.0.0")
 *         .asyncMode(true)
 *         .build());
 * session.logEvent("level_started", Level.INFO, Collections.singletonMap("level", 1));
 * session.shutdown(Duration.ofSeconds(2));
 * }</pre>
 */
public final class Datacat {
    /** The client's version. */
    public static final String VERSION = "0.1.0";

    private Datacat() {
    }

    /**
     * Creates a session and returns at once: the session id is made here, and the daemon is
     * found or started by the session's sender thread, in the background. Records logged
     * before the daemon answers wait in the queue.
     *
     * @return an {@link AsyncSession} when {@link SessionOptions#asyncMode()} is on, else a
     *         synchronous session
     */
    public static Session createSession(SessionOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options are required: SessionOptions.builder(product, version).build()");
        }
        DaemonHandle daemon = DaemonHandle.forSettings(options.daemonCommand(), options.serverUrl(),
                options.daemonPort(), new SpoolSettings(options.spoolDir(), options.spoolMaxBytes(),
                        options.spoolMaxAgeSeconds(), options.spoolFsync()));
        Pipeline pipeline = new Pipeline(UUID.randomUUID().toString(), new Pipeline.Settings(
                options.product(), options.version(), options.attributes(), options.hangTimeoutMs(),
                options.hangDetection(), options.flushIntervalMs() * 1_000_000L,
                options.metricsIntervalMs() * 1_000_000L, options.syncTimeoutMs() * 1_000_000L), daemon);
        Session session = options.asyncMode()
                ? new AsyncSession(pipeline, pipeline.addFront(options.queueSize(), options.dropOnFull(), false),
                        options.shutdownTimeoutMs())
                : new SyncSession(pipeline, pipeline.addFront(SyncSession.QUEUE, false, true),
                        options.shutdownTimeoutMs());
        if (options.crashReporting()) {
            CrashReporter.install();
        }
        pipeline.start();
        if (options.hangDetection()) {
            HangWatchdog.start();
        }
        return session;
    }

    /** A synchronous session with default options for {@code product} at {@code version}. */
    public static Session createSession(String product, String version) {
        return createSession(SessionOptions.builder(product, version).build());
    }
}

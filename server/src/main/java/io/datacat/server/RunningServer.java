package io.datacat.server;

import io.datacat.server.live.LiveFeed;
import io.datacat.server.retention.RetentionSweeper;
import io.datacat.server.status.AbnormalSweeper;
import io.datacat.server.store.Store;
import io.datacat.server.web.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** A started server. {@link #close()} stops it: live streams, HTTP, the sweeper, then the store. */
public final class RunningServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);

    private final WebServer web;
    private final LiveFeed live;
    private final AbnormalSweeper sweeper;
    private final RetentionSweeper retentionSweeper;
    private final Duration retention;
    private final Store store;
    private final String url;
    private final CountDownLatch closed = new CountDownLatch(1);

    RunningServer(WebServer web, LiveFeed live, AbnormalSweeper sweeper, RetentionSweeper retentionSweeper,
                  Duration retention, Store store, String url) {
        this.web = web;
        this.live = live;
        this.sweeper = sweeper;
        this.retentionSweeper = retentionSweeper;
        this.retention = retention;
        this.store = store;
        this.url = url;
    }

    /** The port it listens on (the one picked when the configured port was 0). */
    public int port() {
        return web.port();
    }

    /** The base URL to reach it, ending in {@code /}. */
    public String url() {
        return url;
    }

    /** The store, for embedding and tests (e.g. counting rows). */
    public Store store() {
        return store;
    }

    /** How long after its end a session is kept (zero: every session is kept). */
    public Duration retention() {
        return retention;
    }

    /** The live feed, for tests (e.g. counting watchers). */
    public LiveFeed live() {
        return live;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        // Live streams first, while HTTP still runs, so each connection ends cleanly.
        live.close();
        try {
            web.close();
        } catch (RuntimeException e) {
            LOG.warn("stopping HTTP failed: {}", e.getMessage());
        }
        sweeper.close();
        retentionSweeper.close();
        // Waits for a write in progress, so an acked batch is always committed.
        store.close();
        closed.countDown();
    }
}

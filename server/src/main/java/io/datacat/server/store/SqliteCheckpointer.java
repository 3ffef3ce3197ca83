package io.datacat.server.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copies the write-ahead log into the database file on a connection and thread of its own.
 * Left to SQLite, a commit does it every 1,000 pages of log, on the single writer: under a
 * steady ingest that was a fifth of the writer's time, while the other core had time to spare.
 * A passive checkpoint never blocks the writer or the readers, but while the writer keeps
 * appending it seldom reaches the end of the log, which SQLite only rewinds after a complete
 * checkpoint. So the writer keeps a checkpoint of its own at {@link #WRITER_FALLBACK_PAGES}:
 * cheap, since this thread has copied most pages by then, and it bounds the log (about 16 MiB).
 * The checkpoint connection has the writer's settings, so it syncs the files as the writer's
 * own checkpoints did ({@link SqliteSync}).
 */
final class SqliteCheckpointer implements AutoCloseable {
    /** Log pages past which the writer's commits checkpoint themselves (SQLite's default is 1,000). */
    static final int WRITER_FALLBACK_PAGES = 4_000;
    /** Checkpoints at most this often: about as much log as SQLite's own threshold under a fast ingest. */
    private static final long INTERVAL_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(SqliteCheckpointer.class);

    private final Connection conn;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean committed = new AtomicBoolean();

    SqliteCheckpointer(Connection conn) {
        this.conn = conn;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "datacat-sqlite-checkpoint");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::checkpoint, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** A write transaction committed: there is log to copy. Never blocks. */
    void committed() {
        committed.set(true);
    }

    private void checkpoint() {
        if (!committed.getAndSet(false)) {
            return;
        }
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (SQLException e) {
            // The writer's own checkpoints take over; say so once per failure, without a trace.
            LOG.warn("checkpointing the SQLite log failed: {}", e.getMessage());
        }
    }

    /** Stops the thread, after the checkpoint in progress if any, and closes the connection. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the SQLite checkpoint thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.warn("closing the SQLite checkpoint connection failed: {}", e.getMessage());
        }
    }
}

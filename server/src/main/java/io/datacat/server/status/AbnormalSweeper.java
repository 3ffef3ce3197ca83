package io.datacat.server.status;

import io.datacat.server.ingest.CommitListener;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Marks {@code abnormal} the active sessions nobody has heard from for {@code abnormalAfter}:
 * the app and its daemon vanished together and no record says how the session ended.
 *
 * <p>Nothing is marked until the server itself has been up for {@code abnormalAfter}: after
 * a restart (or an outage of the server) every daemon gets that long to reconnect before
 * its silence counts against it.
 *
 * <p>The sessions it marks are told to a {@link CommitListener} like ingest's writes, so a
 * page watching one live sees it turn abnormal.
 */
public final class AbnormalSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AbnormalSweeper.class);
    private static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    private static final Duration MAX_INTERVAL = Duration.ofSeconds(5);

    private final Store store;
    private final long abnormalAfterMicros;
    private final LongSupplier clock;
    private final CommitListener listener;
    /**
     * Sessions are given the whole silence timeout from here: the server's start, or the first
     * pass that found the store available again after it was out, since the daemons could not
     * deliver either meanwhile.
     */
    private volatile long graceFrom;
    private volatile boolean storeWasOut;
    private final ScheduledExecutorService timer;

    /**
     * @param clock    the server's time in microseconds
     * @param listener told of the sessions each pass marked, once it has committed
     */
    public AbnormalSweeper(Store store, Duration abnormalAfter, LongSupplier clock, CommitListener listener) {
        this.store = store;
        this.abnormalAfterMicros = abnormalAfter.toNanos() / 1_000;
        this.clock = clock;
        this.listener = listener;
        this.graceFrom = clock.getAsLong();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "datacat-abnormal-sweeper");
            t.setDaemon(true);
            return t;
        });
    }

    /** Sweeps every few seconds (more often for a short {@code abnormalAfter}, so it is met closely). */
    public void start() {
        long interval = sweepInterval(abnormalAfterMicros).toMillis();
        timer.scheduleWithFixedDelay(this::sweepLogged, interval, interval, TimeUnit.MILLISECONDS);
    }

    static Duration sweepInterval(long abnormalAfterMicros) {
        Duration third = Duration.ofNanos(abnormalAfterMicros * 1_000 / 3);
        if (third.compareTo(MIN_INTERVAL) < 0) {
            return MIN_INTERVAL;
        }
        return third.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : third;
    }

    /**
     * One pass.
     *
     * @return how many sessions became abnormal
     */
    public int sweep() {
        long now = clock.getAsLong();
        List<SessionRow> marked;
        try {
            if (storeWasOut) {
                // Every pass looks while the store is out, so the grace starts when it is back.
                store.read(tx -> tx.session(""));
                storeWasOut = false;
                graceFrom = now;
            }
            if (now - graceFrom <= abnormalAfterMicros) {
                return 0;
            }
            marked = store.write(tx -> tx.markSilentSessionsAbnormal(now - abnormalAfterMicros));
        } catch (StoreUnavailableException e) {
            storeWasOut = true;
            throw e;
        }
        if (!marked.isEmpty()) {
            tell(marked);
        }
        return marked.size();
    }

    /** The sessions are marked and committed: a failing listener must not make the pass look failed. */
    private void tell(List<SessionRow> marked) {
        try {
            listener.committed(new CommitListener.Committed(List.of(), marked));
        } catch (RuntimeException e) {
            LOG.error("a commit listener failed", e);
        }
    }

    private void sweepLogged() {
        try {
            int marked = sweep();
            if (marked > 0) {
                LOG.info("{} silent session(s) marked abnormal", marked);
            }
        } catch (RuntimeException e) {
            // Keep sweeping: a failed pass (database busy, disk full) is retried on the next tick.
            LOG.warn("abnormal-session sweep failed: {}", e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

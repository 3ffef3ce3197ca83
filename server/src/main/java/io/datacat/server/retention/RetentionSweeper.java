package io.datacat.server.retention;

import io.datacat.server.store.SessionRow;
import io.datacat.server.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletes the sessions that ended longer ago than the retention (by the server's clock: the
 * last time the server heard from them), with their records, state and everything else stored
 * about them. Sessions still active are never deleted, however old.
 *
 * <p>A session is deleted over several short write transactions ({@value #RECORDS_PER_TRANSACTION}
 * records each), so ingest never waits long behind a long session. Once begun, its deletion
 * is finished, records that arrive for it meanwhile included: a session half deleted and
 * then revived by a late delivery would show counts and seqs of records it no longer has.
 * Records that arrive after it are stored as a new session. A session heard from again
 * before its deletion began is kept; one whose deletion a server stop interrupted is
 * finished by the next sweep.
 */
public final class RetentionSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
    static final int SESSIONS_PER_READ = 100;
    static final int RECORDS_PER_TRANSACTION = 5_000;
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
    private static final Duration MAX_INTERVAL = Duration.ofHours(1);
    /** The first sweep waits this long at most after the start, so startup is not slowed by it. */
    private static final Duration FIRST_SWEEP_AFTER = Duration.ofSeconds(10);
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smhd])");
    /** Longer would overflow the clock's arithmetic; nobody means more anyway. */
    private static final Duration MAX = Duration.ofDays(36_500);

    private final Store store;
    private final Duration retention;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;
    private volatile boolean closing;

    /**
     * @param retention how long after its end a session is kept; zero keeps every session
     * @param clock     the server's time in microseconds
     */
    public RetentionSweeper(Store store, Duration retention, LongSupplier clock) {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative");
        }
        this.store = store;
        this.retention = retention;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "datacat-retention");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Parses the {@code --retention} option: a whole number of days, hours, minutes or seconds
     * ({@code 90d}, {@code 12h}, {@code 30m}, {@code 45s}); {@code 0} keeps every session.
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("--retention must be a number of days (90d), hours (12h), minutes (30m) "
                    + "or seconds (45s), or 0 to keep every session; got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("--retention can be at most 36500d (100 years), or 0 to keep every "
                    + "session; got '" + text + "'");
        }
        return d;
    }

    /** What the server tells at startup about it. */
    public static String describe(Duration retention) {
        if (retention.isZero()) {
            return "every session is kept (--retention 90d would delete those that ended more than 90 days ago)";
        }
        return "sessions that ended more than " + format(retention) + " ago are deleted (--retention)";
    }

    private static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86_400 == 0) {
            return plural(s / 86_400, "day");
        }
        if (s % 3_600 == 0) {
            return plural(s / 3_600, "hour");
        }
        if (s % 60 == 0) {
            return plural(s / 60, "minute");
        }
        return plural(s, "second");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    /** Sweeps now and then (a quarter of the retention, between a second and an hour); nothing when every session is kept. */
    public void start() {
        if (retention.isZero()) {
            return;
        }
        long interval = sweepInterval(retention).toMillis();
        timer.scheduleWithFixedDelay(this::sweepLogged, Math.min(interval, FIRST_SWEEP_AFTER.toMillis()), interval,
                TimeUnit.MILLISECONDS);
    }

    static Duration sweepInterval(Duration retention) {
        Duration quarter = retention.dividedBy(4);
        if (quarter.compareTo(MIN_INTERVAL) < 0) {
            return MIN_INTERVAL;
        }
        return quarter.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : quarter;
    }

    /**
     * One pass: deletes every session expired by now, oldest first, until none is left or the
     * sweeper is closed.
     *
     * @return how many sessions were deleted
     */
    public int sweep() {
        if (retention.isZero()) {
            return 0;
        }
        long cutoff = clock.getAsLong() - retention.toNanos() / 1_000;
        int deleted = 0;
        long records = 0;
        long reportAt = System.nanoTime() + PROGRESS_EVERY_NANOS;
        while (!closing) {
            List<SessionRow> expired = store.read(tx -> tx.expiredSessions(cutoff, SESSIONS_PER_READ));
            for (SessionRow s : expired) {
                // The deletion begins only if the session is still expired, checked in the same
                // transaction: one heard from again since the read (a late delivery) is kept.
                int n = store.write(tx -> tx.isExpired(s.sk(), cutoff)
                        ? tx.deleteRecords(s.sk(), RECORDS_PER_TRANSACTION) : -1);
                if (n < 0) {
                    continue;
                }
                records += n;
                while (n == RECORDS_PER_TRANSACTION && !closing) {
                    n = store.write(tx -> tx.deleteRecords(s.sk(), RECORDS_PER_TRANSACTION));
                    records += n;
                }
                if (closing) {
                    break;
                }
                store.write(tx -> {
                    tx.deleteSession(s.sk());
                    return null;
                });
                deleted++;
                if (System.nanoTime() - reportAt > 0) {
                    LOG.info("retention: {} session(s) and {} record(s) deleted so far", deleted, records);
                    reportAt = System.nanoTime() + PROGRESS_EVERY_NANOS;
                }
            }
            if (expired.size() < SESSIONS_PER_READ) {
                break;
            }
        }
        if (deleted > 0) {
            LOG.info("retention: deleted {} session(s) ({} record(s)) last heard from before {}", deleted, records,
                    Instant.ofEpochSecond(0, cutoff * 1_000));
        }
        return deleted;
    }

    private void sweepLogged() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // Keep sweeping: a failed pass (database busy, disk full) is retried on the next tick.
            LOG.warn("retention sweep failed: {}", e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closing = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

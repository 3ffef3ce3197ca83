package io.datacat.it.apps;

import io.datacat.client.Datacat;
import io.datacat.client.Level;
import io.datacat.client.Session;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A stream of records from an {@code AsyncSession} that never drops ({@code dropOnFull} off,
 * a queue larger than the stream): record {@code i} is a state patch ({@link Script#patch} of
 * {@code i / STATE_EVERY}) when {@code i} is a multiple of {@link #STATE_EVERY}, else an event
 * {@code step} with {@link Script#eventData}. No aggregated metrics, so every call is exactly
 * one record and the tests can count records exactly.
 *
 * <p>Arguments: the {@link AppOptions} ones, then {@code product records recordsPerMilli}
 * ({@code 0} = as fast as possible; a rate stretches the stream so a test can kill something
 * in its middle). Prints {@code SESSION <id>}, {@code PROGRESS <calls made> <calls acked by
 * the daemon>} every {@value #PROGRESS_EVERY} calls, {@code LOGGED} once every call is made,
 * and {@code STATS …} plus {@code DELIVERED <true|false>} after {@code shutdown}.
 */
public final class StreamApp {
    public static final int STATE_EVERY = 50;
    public static final int PROGRESS_EVERY = 5_000;

    private StreamApp() {
    }

    public static void main(String[] args) {
        int a = AppOptions.COMMON_ARGS;
        String product = args[a];
        int records = Integer.parseInt(args[a + 1]);
        int perMilli = Integer.parseInt(args[a + 2]);
        Session s = Datacat.createSession(AppOptions.fromArgs(product, args).asyncMode(true)
                .queueSize(records + 1024).dropOnFull(false).build());
        System.out.println("SESSION " + s.id());
        long start = System.nanoTime();
        for (int i = 0; i < records; i++) {
            if (i % STATE_EVERY == 0) {
                s.updateState(Script.patch(i / STATE_EVERY));
            } else {
                s.logEvent("step", Level.INFO, Script.eventData(i));
            }
            if ((i + 1) % PROGRESS_EVERY == 0) {
                System.out.println("PROGRESS " + (i + 1) + " " + s.stats().sent());
            }
            if (perMilli > 0 && i % 1_000 == 999) {
                long due = start + TimeUnit.MILLISECONDS.toNanos((i + 1) / perMilli);
                LockSupport.parkNanos(due - System.nanoTime());
            }
        }
        System.out.println("LOGGED");
        boolean delivered = s.shutdown(Duration.ofSeconds(60));
        System.out.println(AppOptions.statsLine(s.stats()));
        System.out.println("DELIVERED " + delivered);
    }
}

package io.datacat.it.apps;

import io.datacat.client.Datacat;
import io.datacat.client.Session;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;

/**
 * Times {@code shutdown(2 s)} when nothing can take the session's records.
 * <ul>
 *   <li>{@code frozen-daemon}: logs {@link #EVENTS_BEFORE} events through its daemon, prints
 *       {@code READY} and waits for a line on its standard input (meanwhile the test freezes the
 *       daemon with SIGSTOP and kills the server);</li>
 *   <li>{@code frozen-daemon-busy}: the same, but waits half a second between its last events and
 *       {@code shutdown}, so the sender is stuck sending them when the end is queued;</li>
 *   <li>{@code no-daemon}: the daemon command cannot start a daemon at all.</li>
 * </ul>
 * Then it logs {@link #EVENTS_AFTER} events and calls {@code shutdown(2 s)}. Arguments: the
 * {@link AppOptions} ones, then {@code product mode}. Prints {@code SESSION <id>},
 * {@code SHUTDOWN <millis> <delivered>} and {@code STATS …}.
 */
public final class ShutdownApp {
    public static final int EVENTS_BEFORE = 100;
    public static final int EVENTS_AFTER = 1_000;
    public static final Duration TIMEOUT = Duration.ofSeconds(2);

    private ShutdownApp() {
    }

    public static void main(String[] args) throws Exception {
        int a = AppOptions.COMMON_ARGS;
        boolean busy = args[a + 1].equals("frozen-daemon-busy");
        boolean frozenDaemon = busy || args[a + 1].equals("frozen-daemon");
        Session s = Datacat.createSession(AppOptions.fromArgs(args[a], args).asyncMode(true).build());
        System.out.println("SESSION " + s.id());
        if (frozenDaemon) {
            log(s, EVENTS_BEFORE);
            if (!s.flush(Duration.ofSeconds(20))) {
                throw new IllegalStateException("the daemon did not take the first events: " + s.stats());
            }
            System.out.println("READY");
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        log(s, EVENTS_AFTER);
        if (busy) {
            // The sender sends those events and waits for the frozen daemon's answer, so the
            // end that shutdown queues next is never sent at all.
            Thread.sleep(500);
        }
        long start = System.nanoTime();
        boolean delivered = s.shutdown(TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("SHUTDOWN " + millis + " " + delivered);
        System.out.println(AppOptions.statsLine(s.stats()));
    }

    private static void log(Session s, int events) {
        for (int i = 0; i < events; i++) {
            s.logEvent("tick", Collections.singletonMap("i", i));
        }
    }
}

package io.datacat.client;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An app whose daemons cannot start, run in a JVM of its own by {@link DaemonUnavailableTest}:
 * two sessions (two daemon commands), each failing several starts while the app logs on.
 */
public final class UnavailableDaemonApp {
    private UnavailableDaemonApp() {
    }

    public static void main(String[] args) {
        Session first = Datacat.createSession(SessionOptions.builder("Unavailable", "1.0")
                .daemonCommand("/nonexistent/first-daemon").crashReporting(false).build());
        Session second = Datacat.createSession(SessionOptions.builder("Unavailable", "1.0")
                .daemonCommand("/nonexistent/second-daemon").asyncMode(true).crashReporting(false).build());
        long until = System.nanoTime() + 1_000_000_000L; // a few backed-off restarts of each
        while (System.nanoTime() - until < 0) {
            first.logEvent("frame");
            second.logEvent("frame");
            LockSupport.parkNanos(16_000_000L);
        }
        System.out.println("first: " + first.stats() + ", second: " + second.stats());
        first.shutdown(Duration.ofMillis(100));
        second.shutdown(Duration.ofMillis(100));
    }
}

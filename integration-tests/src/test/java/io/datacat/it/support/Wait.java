package io.datacat.it.support;

import org.awaitility.core.ConditionTimeoutException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import static org.awaitility.Awaitility.await;

/**
 * Bounded waits that say what they waited for and, on timeout, show the logs of the processes
 * involved. {@link #until} returns how long the condition took, for the behaviour bounds the
 * fault tests check (crash to {@code crashed} within 2 s, say).
 */
public final class Wait {
    private static final Duration POLL = Duration.ofMillis(20);

    private Wait() {
    }

    /**
     * Polls {@code condition} every 20 ms, starting at once, until it holds.
     *
     * @param logs the test folder whose process logs a timeout shows
     * @return the time from the call until the condition held
     * @throws AssertionError when {@code atMost} passed first
     */
    public static Duration until(Duration atMost, String what, Path logs, Callable<Boolean> condition) {
        long start = System.nanoTime();
        try {
            await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(POLL).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("not within " + atMost.toMillis() + " ms: " + what + "\n" + Logs.of(logs), e);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}

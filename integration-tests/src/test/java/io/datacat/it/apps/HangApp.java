package io.datacat.it.apps;

import io.datacat.client.Datacat;
import io.datacat.client.Session;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A frame loop that heartbeats every {@link #FRAME_MS} ms on its main thread.
 * <ul>
 *   <li>{@code block}: hang timeout {@link #BLOCK_HANG_TIMEOUT_MS} ms. Runs frames, logs
 *       {@code blocking} and blocks in {@link #loadHugeLevel} for {@link #BLOCK_MS} ms, runs
 *       frames, then pauses hang detection, logs {@code paused_blocking}, blocks as long again,
 *       resumes, runs frames and ends.</li>
 *   <li>{@code frames}: hang timeout {@link #FRAMES_HANG_TIMEOUT_MS} ms. Runs frames until a line
 *       arrives on its standard input, then ends (the test stops and continues it meanwhile).</li>
 * </ul>
 * Arguments: the {@link AppOptions} ones, then {@code product mode}. Prints
 * {@code SESSION <id>}, {@code READY} once its daemon has seen it heartbeat, and {@code DONE}.
 */
public final class HangApp {
    public static final long FRAME_MS = 10;
    public static final long BLOCK_HANG_TIMEOUT_MS = 500;
    public static final long BLOCK_MS = 1_500;
    public static final long FRAMES_HANG_TIMEOUT_MS = 1_000;

    private static volatile boolean endRequested;

    private HangApp() {
    }

    public static void main(String[] args) throws Exception {
        int a = AppOptions.COMMON_ARGS;
        boolean blockMode = args[a + 1].equals("block");
        Session s = Datacat.createSession(AppOptions.fromArgs(args[a], args).asyncMode(true)
                .hangTimeoutMs(blockMode ? BLOCK_HANG_TIMEOUT_MS : FRAMES_HANG_TIMEOUT_MS).build());
        System.out.println("SESSION " + s.id());
        // The first flush waits for the daemon to start: no heartbeat yet, or that wait would be a hang.
        s.logEvent("started");
        flush(s);
        s.heartbeat();
        s.logEvent("heartbeating");
        flush(s);
        System.out.println("READY");
        if (blockMode) {
            frames(s, 500);
            s.logEvent("blocking");
            loadHugeLevel(BLOCK_MS);
            frames(s, 500);
            s.pauseHangDetection();
            s.logEvent("paused_blocking");
            loadHugeLevel(BLOCK_MS);
            s.resumeHangDetection();
            frames(s, 500);
        } else {
            Thread stdin = new Thread(HangApp::awaitEndLine, "stdin");
            stdin.setDaemon(true);
            stdin.start();
            while (!endRequested) {
                frames(s, FRAME_MS);
            }
        }
        s.shutdown(Duration.ofSeconds(10));
        System.out.println("DONE");
    }

    private static void flush(Session s) {
        if (!s.flush(Duration.ofSeconds(20))) {
            throw new IllegalStateException("the daemon did not answer: " + s.stats());
        }
    }

    private static void frames(Session s, long forMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMillis);
        do {
            s.heartbeat();
            Thread.sleep(FRAME_MS);
        } while (System.nanoTime() < end);
    }

    /** The blocking call a hang report must point at. */
    static void loadHugeLevel(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    private static void awaitEndLine() {
        try {
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            // stdin gone: end as well
        }
        endRequested = true;
    }
}

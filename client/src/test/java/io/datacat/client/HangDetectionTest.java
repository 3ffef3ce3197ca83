package io.datacat.client;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.WireRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HangDetectionTest {
    @AutoClose
    private final FakeDaemon daemon = new FakeDaemon();

    private Session session() {
        return Datacat.createSession(SessionOptions.builder("Hang", "1.0").daemonPort(daemon.port())
                .asyncMode(true).crashReporting(false).hangTimeoutMs(300).build());
    }

    /** A stand-in game thread: heartbeats every "frame" until told to block in {@link #blockInLoadLevel}. */
    private static final class Game extends Thread {
        private final Session session;
        final AtomicBoolean running = new AtomicBoolean(true);
        volatile CountDownLatch block;

        Game(Session session) {
            super("game-loop");
            this.session = session;
        }

        @Override
        public void run() {
            while (running.get()) {
                session.heartbeat();
                CountDownLatch b = block;
                if (b != null) {
                    block = null;
                    blockInLoadLevel(b);
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static void blockInLoadLevel(CountDownLatch until) {
            try {
                until.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aBlockedFrameLoopIsReportedHungWithItsStackThenRecovered() throws Exception {
        Session s = session();
        Game game = new Game(s);
        game.start();
        CountDownLatch unblock = new CountDownLatch(1);
        game.block = unblock;
        await().atMost(Duration.ofSeconds(5)).until(() -> s.flush(Duration.ofMillis(200))
                && !daemon.ofKind(RecordKind.HANG).isEmpty());
        WireRecord hang = daemon.ofKind(RecordKind.HANG).get(0);
        assertThat(hang.text("thread")).isEqualTo("game-loop");
        assertThat(hang.text("detected_by")).isEqualTo("client");
        assertThat(hang.integer("timeout_ms", 0)).isEqualTo(300);
        assertThat(hang.integer("silent_ms", 0)).isGreaterThan(300);
        List<String> stack = new ArrayList<>();
        hang.body().get("stack").forEach(n -> stack.add(n.asText()));
        assertThat(stack).anyMatch(l -> l.contains("blockInLoadLevel"));
        assertThat(daemon.ofKind(RecordKind.RECOVERED)).isEmpty();

        unblock.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> s.flush(Duration.ofMillis(200))
                && !daemon.ofKind(RecordKind.RECOVERED).isEmpty());
        assertThat(daemon.ofKind(RecordKind.RECOVERED).get(0).integer("duration_ms", 0)).isGreaterThanOrEqualTo(300);
        assertThat(daemon.ofKind(RecordKind.HANG)).hasSize(1);
        game.running.set(false);
        game.join();
        s.end();
    }

    @Test
    void pausedMonitoringAndSessionsThatNeverHeartbeatAreNeverHung() throws Exception {
        Session never = session();
        Session paused = session();
        paused.heartbeat();
        paused.pauseHangDetection();
        // Four hang timeouts of silence, measured by the watchdog's own flushes.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_200);
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - until > 0);
        paused.resumeHangDetection();
        paused.heartbeat();
        assertThat(never.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(paused.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(daemon.ofKind(RecordKind.HANG)).isEmpty();
        never.end();
        paused.end();
    }
}

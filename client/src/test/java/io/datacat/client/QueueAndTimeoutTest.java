package io.datacat.client;

import io.datacat.protocol.RecordKind;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class QueueAndTimeoutTest {
    @AutoClose
    private final FakeDaemon daemon = new FakeDaemon();

    private SessionOptions.Builder options() {
        return SessionOptions.builder("QueueTest", "1.0").daemonPort(daemon.port()).asyncMode(true)
                .crashReporting(false);
    }

    /** With the sender stalled on the daemon, a full queue drops (exactly counted) and never blocks. */
    @Test
    @Timeout(30)
    void dropOnFullNeverBlocksAndCountsEveryDrop() {
        daemon.stall();
        Session s = Datacat.createSession(options().queueSize(100).build());
        // The session's first batch (session_start) is now held by the daemon: the sender is stuck.
        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.requestsWaiting.get() == 1);
        for (int i = 0; i < 1000; i++) {
            s.logEvent("e", Level.INFO);
        }
        assertThat(s.stats().dropped()).isEqualTo(900);
        assertThat(s.stats().queued()).isEqualTo(100);
        daemon.release();
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(daemon.ofKind(RecordKind.EVENT)).hasSize(100);
        assertThat(s.stats().sent()).isEqualTo(100);
        assertThat(s.stats().dropped()).isEqualTo(900);
    }

    /** A burst that fills a quarter of the queue wakes the sender at once, long before its flush interval. */
    @Test
    @Timeout(30)
    void aBurstFillingAQuarterOfTheQueueIsSentBeforeTheFlushInterval() {
        Session s = Datacat.createSession(options().queueSize(1024).flushIntervalMs(60_000).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> !daemon.ofKind(RecordKind.SESSION_START).isEmpty());
        for (int i = 0; i < 600; i++) {
            s.logEvent("burst");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> daemon.ofKind(RecordKind.EVENT).size() == 600);
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
    }

    /** A queue of one is a quarter full at every call: each call wakes the sender, nothing waits for the interval. */
    @Test
    @Timeout(30)
    void aQueueOfOneWakesTheSenderAtEveryCall() {
        Session s = Datacat.createSession(options().queueSize(1).flushIntervalMs(60_000).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> !daemon.ofKind(RecordKind.SESSION_START).isEmpty());
        for (int i = 1; i <= 5; i++) {
            s.logEvent("one");
            int sent = i;
            await().atMost(Duration.ofSeconds(5)).until(() -> daemon.ofKind(RecordKind.EVENT).size() == sent);
        }
        assertThat(s.stats().dropped()).isZero();
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
    }

    /**
     * A call that takes long to copy (a big or slow map) still wakes the sender only once it is
     * published: woken at the claim, the sender found nothing, slept its whole interval and the
     * record with it.
     */
    @Test
    @Timeout(30)
    void theSenderIsWokenOnlyOnceTheCallIsPublished() {
        Session s = Datacat.createSession(options().queueSize(1).flushIntervalMs(60_000).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> !daemon.ofKind(RecordKind.SESSION_START).isEmpty());
        s.logEvent("slow", Level.INFO, new SlowMap(300));
        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.ofKind(RecordKind.EVENT).size() == 1);
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
    }

    /** A map that takes {@code millis} to walk, like a large one. */
    private static final class SlowMap extends java.util.HashMap<String, Object> {
        private final long millis;

        SlowMap(long millis) {
            this.millis = millis;
            put("k", 1);
        }

        @Override
        public void forEach(java.util.function.BiConsumer<? super String, ? super Object> action) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.forEach(action);
        }
    }

    /**
     * Calls that leave the queue mostly empty never wake the sender (a wake-up is a system call on
     * the game's thread): they wait for the sender's own flush interval.
     */
    @Test
    @Timeout(30)
    void aFewCallsWaitForTheFlushIntervalInsteadOfWakingTheSender() {
        Session s = Datacat.createSession(options().queueSize(1024).flushIntervalMs(4_000).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> !daemon.ofKind(RecordKind.SESSION_START).isEmpty());
        for (int i = 0; i < 100; i++) {
            s.logEvent("few");
        }
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(2))
                .until(() -> daemon.ofKind(RecordKind.EVENT).isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> daemon.ofKind(RecordKind.EVENT).size() == 100);
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    @Timeout(30)
    void waitForRoomBlocksTheCallerUntilTheSenderMovesOn() throws Exception {
        daemon.stall();
        Session s = Datacat.createSession(options().queueSize(10).dropOnFull(false).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.requestsWaiting.get() == 1);
        AtomicInteger done = new AtomicInteger();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < 25; i++) {
                s.logEvent("w");
                done.incrementAndGet();
            }
        });
        producer.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 10
                && producer.getState() == Thread.State.TIMED_WAITING);
        assertThat(producer.isAlive()).isTrue();
        assertThat(s.stats().dropped()).isZero();
        daemon.release();
        producer.join(10_000);
        assertThat(done.get()).isEqualTo(25);
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(daemon.ofKind(RecordKind.EVENT)).hasSize(25);
        assertThat(s.stats().dropped()).isZero();
    }

    @Test
    @Timeout(30)
    void aCallWaitingForRoomIsDroppedAndReleasedOnceShutdownBegins() throws Exception {
        daemon.stall();
        Session s = Datacat.createSession(options().queueSize(10).dropOnFull(false).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.requestsWaiting.get() == 1);
        AtomicInteger done = new AtomicInteger();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < 11; i++) {
                s.logEvent("w");
                done.incrementAndGet();
            }
        });
        producer.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 10
                && producer.getState() == Thread.State.TIMED_WAITING);
        Thread stopper = new Thread(() -> s.shutdown(Duration.ofSeconds(20)));
        stopper.start();
        // Released long before shutdown's own 20 s are up, although the daemon still stalls.
        producer.join(5_000);
        assertThat(producer.isAlive()).isFalse();
        assertThat(done.get()).isEqualTo(11);
        daemon.release();
        stopper.join(20_000);
        assertThat(s.stats().dropped()).isOne();
    }

    @Test
    void shutdownHonoursItsTimeoutWhenNoDaemonCanBeReached() throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        Session s = Datacat.createSession(SessionOptions.builder("QueueTest", "1.0").daemonPort(closedPort)
                .daemonCommand("/nonexistent/datacat-daemon").asyncMode(true).crashReporting(false).build());
        for (int i = 0; i < 100; i++) {
            s.logEvent("lost");
        }
        long start = System.nanoTime();
        boolean delivered = s.shutdown(Duration.ofSeconds(2));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(delivered).isFalse();
        assertThat(tookMs).isLessThan(2_200);
        assertThat(s.stats().dropped()).isEqualTo(100);
        assertThat(s.stats().queued()).isZero();
        assertThat(s.stats().lastError()).contains("datacat-daemon");
    }

    @Test
    void theSenderStopsWaitingForADaemonThatNeverBecomesReadyOnceShutdownGaveUp() {
        // A daemon command that starts but never writes its port file.
        Session s = Datacat.createSession(SessionOptions.builder("QueueTest", "1.0").daemonCommand("sleep", "20")
                .asyncMode(true).crashReporting(false).build());
        s.logEvent("lost");
        assertThat(s.shutdown(Duration.ofMillis(500))).isFalse();
        String sender = "datacat-sender-" + s.id().substring(0, 8);
        await().atMost(Duration.ofSeconds(3)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals(sender)));
    }

    @Test
    void shutdownHonoursItsTimeoutWhenTheDaemonAcceptsButNeverAnswers() {
        daemon.stall();
        Session s = Datacat.createSession(options().build());
        s.logEvent("stuck");
        long start = System.nanoTime();
        assertThat(s.shutdown(Duration.ofSeconds(2))).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_200);
        assertThat(s.stats().dropped()).isEqualTo(1);
    }

    @Test
    void flushTimesOutWhileTheDaemonIsStalled() {
        daemon.stall();
        Session s = Datacat.createSession(options().build());
        s.logEvent("x");
        long start = System.nanoTime();
        assertThat(s.flush(Duration.ofMillis(300))).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 1_000L);
        daemon.release();
        assertThat(s.flush(Duration.ofSeconds(5))).isTrue();
        s.end();
    }
}

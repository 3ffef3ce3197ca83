package io.datacat.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.WireRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SessionDeliveryTest {
    @AutoClose
    private final FakeDaemon daemon = new FakeDaemon();

    private SessionOptions.Builder options(boolean async) {
        return SessionOptions.builder("DeliveryTest", "1.0").daemonPort(daemon.port()).asyncMode(async)
                .crashReporting(false);
    }

    @Test
    void asyncSessionDeliversEveryCallOnceInOrderWithGapFreeSeq() {
        Session s = Datacat.createSession(options(true).build());
        assertThat(s).isInstanceOf(AsyncSession.class);
        Map<String, Object> player = new LinkedHashMap<>();
        Counter kills = s.counter("kills", "mode:pvp");
        Histogram frame = s.histogram("frame_ms");
        int frames = 300;
        for (int f = 0; f < frames; f++) {
            player.put("x", f);
            s.updateState(Map.of("player", player));
            s.logEvent("frame", Level.DEBUG, Map.of("n", f));
            s.logGauge("fps", 60 - f % 3);
            kills.increment();
            s.logCounter("score", 10);
            frame.record(16.0 + f % 5);
            s.logTimer("update", 2, TimeUnit.MILLISECONDS);
        }
        s.logException(new IllegalStateException("boom", new RuntimeException("root cause")));
        s.logEvent(Event.builder("level_done").level(Level.WARNING).category("gameplay").group("levels")
                .labels("a", "b").message("done").data("level", 3).build());
        long calls = frames * 7L + 2;
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();

        Stats st = s.stats();
        assertThat(st.sent()).isEqualTo(calls);
        assertThat(st.dropped()).isZero();
        assertThat(st.queued()).isZero();

        List<WireRecord> recs = daemon.records;
        assertThat(daemon.invalidBatches.get()).isZero();
        assertThat(daemon.seqs()).containsExactlyElementsOf(
                LongStream.rangeClosed(1, recs.size()).boxed().collect(Collectors.toList()));
        assertThat(recs.get(0).kind()).isEqualTo(RecordKind.SESSION_START);
        assertThat(recs.get(0).text("product")).isEqualTo("DeliveryTest");
        assertThat(recs.get(recs.size() - 1).kind()).isEqualTo(RecordKind.END);
        assertThat(recs).allMatch(r -> r.sid().equals(s.id()));

        List<WireRecord> frameEvents = daemon.ofKind(RecordKind.EVENT).stream()
                .filter(r -> r.name().equals("frame")).collect(Collectors.toList());
        assertThat(frameEvents).hasSize(frames);
        for (int f = 0; f < frames; f++) {
            assertThat(frameEvents.get(f).body().get("data").get("n").asInt()).isEqualTo(f);
            assertThat(frameEvents.get(f).text("level")).isEqualTo("debug");
        }
        List<WireRecord> states = daemon.ofKind(RecordKind.STATE);
        assertThat(states).hasSize(frames);
        assertThat(states.get(frames - 1).body().at("/patch/player/x").asInt()).isEqualTo(frames - 1);

        Map<String, Double> totals = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        for (WireRecord m : daemon.ofKind(RecordKind.METRIC)) {
            String key = m.name() + "/" + m.text("type");
            totals.merge(key, m.number("value", 0) * (m.text("type").equals("counter") ? 1 : 0)
                    + (m.text("type").equals("gauge") ? 0 : 0), Double::sum);
            counts.merge(key, m.body().has("count") ? m.integer("count", 1) : 1, Long::sum);
        }
        assertThat(counts.get("fps/gauge")).isEqualTo(frames);
        assertThat(totals.get("kills/counter")).isEqualTo(frames);
        assertThat(totals.get("score/counter")).isEqualTo(frames * 10.0);
        assertThat(counts.get("frame_ms/histogram")).isEqualTo(frames);
        assertThat(counts.get("update/timer")).isEqualTo(frames);
        WireRecord hist = daemon.ofKind(RecordKind.METRIC).stream().filter(r -> r.name().equals("frame_ms"))
                .findFirst().orElseThrow();
        long bucketSum = 0;
        for (JsonNode b : hist.body().get("buckets")) {
            bucketSum += b.get("count").asLong();
        }
        assertThat(bucketSum).isEqualTo(hist.integer("count", 0));
        assertThat(daemon.ofKind(RecordKind.METRIC).stream().filter(r -> r.name().equals("kills")).findFirst()
                .orElseThrow().body().get("tags").get(0).asText()).isEqualTo("mode:pvp");

        WireRecord ex = daemon.ofKind(RecordKind.EXCEPTION).get(0);
        assertThat(ex.text("exception_type")).isEqualTo("java.lang.IllegalStateException");
        assertThat(ex.text("exception_msg")).isEqualTo("boom");
        assertThat(ex.text("source_function")).endsWith("asyncSessionDeliversEveryCallOnceInOrderWithGapFreeSeq");
        List<String> stack = new ArrayList<>();
        ex.body().get("stacktrace").forEach(n -> stack.add(n.asText()));
        assertThat(stack).anyMatch(l -> l.equals("Caused by: java.lang.RuntimeException: root cause"));

        WireRecord done = daemon.ofKind(RecordKind.EVENT).stream().filter(r -> r.name().equals("level_done"))
                .findFirst().orElseThrow();
        assertThat(done.text("category")).isEqualTo("gameplay");
        assertThat(done.text("message")).isEqualTo("done");
        assertThat(done.body().at("/data/level").asInt()).isEqualTo(3);
    }

    /** Every kind of map value reaches the daemon as it was logged, also when a document is used again. */
    @Test
    void mapValuesOfEveryKindArriveAsLogged() {
        Session s = Datacat.createSession(options(true).build());
        Map<String, Object> data = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            data.put("int", 7 + round);
            data.put("long", 1L << 40);
            data.put("short", (short) -3);
            data.put("byte", (byte) 9);
            data.put("double", 0.25 + round);
            data.put("float", 1.5f);
            data.put("yes", true);
            data.put("no", false);
            data.put("text", "orc" + round);
            data.put("none", null);
            data.put("big", java.math.BigInteger.TEN.pow(20));
            data.put("list", List.of(1, true, "a"));
            s.logEvent("kinds", Level.INFO, data);
            assertThat(s.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        List<WireRecord> events = daemon.ofKind(RecordKind.EVENT);
        assertThat(events).hasSize(3);
        for (int round = 0; round < 3; round++) {
            JsonNode d = events.get(round).body().get("data");
            assertThat(d.get("int").isIntegralNumber()).isTrue();
            assertThat(d.get("int").asLong()).isEqualTo(7 + round);
            assertThat(d.get("long").asLong()).isEqualTo(1L << 40);
            assertThat(d.get("short").asLong()).isEqualTo(-3);
            assertThat(d.get("byte").asLong()).isEqualTo(9);
            assertThat(d.get("double").asDouble()).isEqualTo(0.25 + round);
            assertThat(d.get("float").asDouble()).isEqualTo(1.5);
            assertThat(d.get("yes").isBoolean()).isTrue();
            assertThat(d.get("yes").asBoolean()).isTrue();
            assertThat(d.get("no").isBoolean()).isTrue();
            assertThat(d.get("no").asBoolean()).isFalse();
            assertThat(d.get("text").asText()).isEqualTo("orc" + round);
            assertThat(d.get("none").isNull()).isTrue();
            assertThat(d.get("big").asText()).isEqualTo("100000000000000000000");
            assertThat(d.get("list").toString()).isEqualTo("[1,true,\"a\"]");
        }
    }

    @Test
    void synchronousCallsReturnOnlyOnceTheDaemonHasTheRecord() {
        Session s = Datacat.createSession(options(false).build());
        assertThat(s).isNotInstanceOf(AsyncSession.class);
        for (int i = 0; i < 20; i++) {
            s.logEvent("sync_" + i);
            int n = i;
            assertThat(daemon.ofKind(RecordKind.EVENT)).anyMatch(r -> r.name().equals("sync_" + n));
        }
        s.logCounter("c", 2);
        assertThat(daemon.ofKind(RecordKind.METRIC)).anyMatch(r -> r.name().equals("c") && r.number("value", 0) == 2);
        assertThat(s.stats().sent()).isEqualTo(21);
        s.end();
        assertThat(daemon.ofKind(RecordKind.END)).hasSize(1);
    }

    @Test
    void anAsyncSessionCanWrapASynchronousOneInTheSameSequence() {
        Session sync = Datacat.createSession(options(false).build());
        sync.logEvent("before");
        AsyncSession async = new AsyncSession(sync, 100, true);
        async.logEvent("after");
        assertThat(async.id()).isEqualTo(sync.id());
        assertThat(async.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(daemon.ofKind(RecordKind.EVENT).stream().map(WireRecord::name)).containsExactly("before", "after");
        assertThat(daemon.seqs()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void callsAfterEndAreIgnoredAndCounted() {
        Session s = Datacat.createSession(options(true).build());
        s.logEvent("x");
        s.end();
        s.logEvent("late");
        s.logGauge("late", 1);
        s.updateState(Map.of("a", 1));
        assertThat(s.stats().ignoredAfterEnd()).isEqualTo(3);
        assertThat(s.stats().sent()).isEqualTo(1);
        assertThat(s.shutdown(Duration.ofSeconds(1))).isTrue();
        assertThat(daemon.ofKind(RecordKind.END)).hasSize(1);
        assertThat(daemon.ofKind(RecordKind.EVENT)).hasSize(1);
    }

    @Test
    void flushWaitsForDeliveryIncludingAggregatedMetrics() {
        Session s = Datacat.createSession(options(true).metricsIntervalMs(60_000).build());
        s.logCounter("hits", 5);
        s.logHistogram("lat", 3);
        assertThat(s.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(daemon.ofKind(RecordKind.METRIC)).extracting(WireRecord::name).contains("hits", "lat");
        assertThat(s.stats().sent()).isEqualTo(2);
        s.end();
    }

    @Test
    void transientDaemonErrorsAreRetriedWithoutDuplicates() {
        daemon.failNext(3, 503);
        Session s = Datacat.createSession(options(true).build());
        for (int i = 0; i < 50; i++) {
            s.logEvent("e" + i);
        }
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(daemon.ofKind(RecordKind.EVENT)).hasSize(50);
        assertThat(daemon.seqs()).doesNotHaveDuplicates();
        assertThat(s.stats().sent()).isEqualTo(50);
    }

    @Test
    void aDaemonRestartedOnItsFixedPortIsIntroducedToTheSessionAgain() {
        FakeDaemon first = new FakeDaemon(0, 111);
        int port = first.port();
        Session s = Datacat.createSession(SessionOptions.builder("DeliveryTest", "1.0").daemonPort(port)
                .asyncMode(true).crashReporting(false).build());
        s.logEvent("one");
        assertThat(s.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(first.ofKind(RecordKind.SESSION_START)).hasSize(1);
        first.close();
        try (FakeDaemon second = new FakeDaemon(port, 222)) {
            s.logEvent("two");
            assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
            // The new daemon knows the session's app (its pid) and can watch it for a crash.
            assertThat(second.ofKind(RecordKind.SESSION_START)).hasSize(1);
            assertThat(second.ofKind(RecordKind.EVENT)).extracting(WireRecord::name).containsExactly("two");
        }
    }

    @Test
    void aBatchTheDaemonRefusesIsCountedAsDroppedNotRetriedForever() {
        daemon.refuseAll(true);
        Session s = Datacat.createSession(options(true).build());
        for (int i = 0; i < 10; i++) {
            s.logEvent("refused");
        }
        assertThat(s.flush(Duration.ofSeconds(5))).isTrue();
        assertThat(s.stats().dropped()).isEqualTo(10);
        assertThat(s.stats().lastError()).contains("400");
        daemon.refuseAll(false);
        s.logEvent("accepted");
        assertThat(s.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(daemon.ofKind(RecordKind.EVENT)).extracting(WireRecord::name).containsExactly("accepted");
        assertThat(s.stats().sent()).isEqualTo(1);
    }

    @Test
    void droppedCountsReachTheDaemon() throws Exception {
        daemon.stall();
        Session s = Datacat.createSession(options(true).queueSize(5).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.requestsWaiting.get() == 1);
        for (int i = 0; i < 12; i++) {
            s.logEvent("e");
        }
        daemon.release();
        assertThat(s.shutdown(Duration.ofSeconds(5))).isTrue();
        assertThat(s.stats().dropped()).isEqualTo(7);
        assertThat(daemon.counters).anyMatch(c -> c.clientDropped() == 7);
    }
}

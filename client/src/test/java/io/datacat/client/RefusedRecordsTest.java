package io.datacat.client;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.WireRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daemon refuses a whole batch when one record in it is invalid. The client must not
 * write such records, and when the daemon refuses one anyway, that record alone is dropped.
 */
class RefusedRecordsTest {
    @AutoClose
    private final FakeDaemon daemon = new FakeDaemon();

    private Session session() {
        return Datacat.createSession(SessionOptions.builder("RefusedTest", "1.0").daemonPort(daemon.port())
                .asyncMode(true).crashReporting(false).build());
    }

    private List<String> eventNames() {
        return daemon.ofKind(RecordKind.EVENT).stream().map(WireRecord::name).collect(Collectors.toList());
    }

    @Test
    void callsTheDaemonWouldRefuseAreSentInAFormItTakes() {
        Session s = session();
        s.logEvent("before");
        s.logEvent(" \t");
        s.logEvent((String) null);
        s.logCounter("", 1);
        s.increment(null);
        s.counter("kills", (String) null).increment();
        s.logCounter("huge", 1e308);
        s.logCounter("huge", 1e308);
        Histogram wide = s.histogram("latency");
        for (double v = 1e-6; v < 1e9; v *= 1.01) {
            wide.record(v);
        }
        Map<Object, Object> numberKeys = new LinkedHashMap<>();
        numberKeys.put(1, "first");
        numberKeys.put("1", "second");
        Map<String, Object> sameText = new IdentityHashMap<>();
        sameText.put(new String("k"), Map.of("nested", 1));
        sameText.put(new String("k"), "later");
        @SuppressWarnings("unchecked")
        Map<String, ?> data = (Map<String, ?>) (Map<?, ?>) numberKeys;
        s.logEvent("number keys", data);
        s.logEvent("same text", sameText);
        Map<String, Object> loneSurrogates = new LinkedHashMap<>();
        loneSurrogates.put("\uD800", 1);
        loneSurrogates.put("\uDC00", 2);
        s.logEvent("lone surrogates", loneSurrogates);
        s.logEvent("after");

        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(daemon.invalidBatches.get()).isZero();
        assertThat(s.stats().dropped()).isZero();
        assertThat(eventNames()).containsExactly("before", "(unnamed)", "(unnamed)", "number keys", "same text",
                "lone surrogates", "after");
        WireRecord numbers = daemon.ofKind(RecordKind.EVENT).get(3);
        assertThat(numbers.body().get("data").toString()).isEqualTo("{\"1\":\"first\"}");
        WireRecord same = daemon.ofKind(RecordKind.EVENT).get(4);
        assertThat(same.body().get("data").size()).isOne();
        assertThat(daemon.ofKind(RecordKind.EVENT).get(5).body().get("data").toString()).isEqualTo("{\"\uFFFD\":1}");

        List<WireRecord> metrics = daemon.ofKind(RecordKind.METRIC);
        assertThat(metrics).extracting(WireRecord::name).contains("(unnamed)", "kills", "huge", "latency");
        WireRecord huge = metrics.stream().filter(m -> m.name().equals("huge")).findFirst().orElseThrow();
        assertThat(huge.number("value", 0)).isEqualTo(Double.MAX_VALUE);
        WireRecord latency = metrics.stream().filter(m -> m.name().equals("latency")).findFirst().orElseThrow();
        long samples = latency.integer("count", 0);
        assertThat(samples).isGreaterThan(3_000);
        long inBuckets = 0;
        for (var b : latency.body().get("buckets")) {
            inBuckets += b.get("count").asLong();
        }
        assertThat(latency.body().get("buckets").size()).isBetween(100, 256);
        assertThat(inBuckets).isEqualTo(samples);
    }

    @Test
    void aBuiltEventKeepsTheDataItHadWhenBuilt() {
        int[] position = {1, 2, 3};
        StringBuilder note = new StringBuilder("before");
        java.util.concurrent.atomic.AtomicLong score = new java.util.concurrent.atomic.AtomicLong(10);
        Event e = Event.builder("snapshot").data("pos", position).data("note", note).data("score", score)
                .data("grid", new int[][] {{1}, {2}}).build();
        position[0] = 999;
        note.replace(0, note.length(), "after");
        score.set(11);
        Session s = session();
        s.logEvent(e);
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(daemon.ofKind(RecordKind.EVENT).get(0).body().get("data").toString())
                .isEqualTo("{\"pos\":[1,2,3],\"note\":\"before\",\"score\":10,\"grid\":[[1],[2]]}");
    }

    @Test
    void aRecordTheDaemonRefusesIsDroppedAloneAndTheRestDelivered() {
        daemon.refuseRecordsNamed("poison");
        Session s = session();
        for (int i = 0; i < 100; i++) {
            s.logEvent(i == 0 || i == 50 || i == 99 ? "poison" : "good");
        }
        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(eventNames()).hasSize(97).containsOnly("good");
        assertThat(s.stats().dropped()).isEqualTo(3);
        assertThat(s.stats().sent()).isEqualTo(97);
        // The batch that finally went through told the daemon of the records cut from it.
        assertThat(daemon.counters.get(daemon.counters.size() - 1).clientDropped()).isEqualTo(3);
        assertThat(daemon.ofKind(RecordKind.END)).hasSize(1);
    }

    @Test
    void shutdownSaysSoWhenTheDaemonRefusedTheSessionsEnd() {
        Session s = session();
        s.logEvent("delivered");
        assertThat(s.flush(Duration.ofSeconds(5))).isTrue();
        daemon.refuseAll(true);
        s.logEvent("refused");
        assertThat(s.shutdown(Duration.ofSeconds(5))).isFalse();
        assertThat(daemon.ofKind(RecordKind.END)).isEmpty();
        assertThat(s.stats().dropped()).isEqualTo(1);
    }
}

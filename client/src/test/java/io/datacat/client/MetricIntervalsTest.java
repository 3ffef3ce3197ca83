package io.datacat.client;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.WireRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A counter's aggregate says how long it summed its increments (interval_ms), so the server
 * rates a burst after a silence over its own interval, not over the silence.
 */
class MetricIntervalsTest {
    @AutoClose
    private final FakeDaemon daemon = new FakeDaemon();

    private List<WireRecord> counters() {
        return daemon.ofKind(RecordKind.METRIC).stream().filter(r -> r.name().equals("shots"))
                .collect(Collectors.toList());
    }

    @Test
    void aCounterAfterASilenceCoversOneMetricsIntervalNotTheSilence() throws Exception {
        Session s = Datacat.createSession(SessionOptions.builder("Intervals", "1.0").daemonPort(daemon.port())
                .asyncMode(true).crashReporting(false).metricsIntervalMs(200).build());
        Counter shots = s.counter("shots");
        shots.increment();
        await().atMost(Duration.ofSeconds(10)).until(() -> counters().size() == 1);
        // Five metrics intervals without a call, then a burst.
        long silentUntil = System.nanoTime() + 1_000_000_000L;
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - silentUntil >= 0);
        for (int i = 0; i < 50; i++) {
            shots.increment();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> counters().size() == 2);
        s.shutdown(Duration.ofSeconds(5));

        WireRecord burst = counters().get(1);
        assertThat(burst.number("value", 0)).isEqualTo(50);
        // One interval of 200 ms (give or take the sender's 10 ms wake-ups), never the 1 s silence.
        assertThat(burst.body().get("interval_ms").asLong()).isBetween(1L, 400L);
    }
}

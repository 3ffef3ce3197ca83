package io.datacat.client;

import io.datacat.protocol.RecordKind;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class NeverThrowsTest {
    @AutoClose
    private final FakeDaemon daemon = new FakeDaemon();

    @Test
    void badValuesAndRacingMapsNeverReachTheCaller() throws Exception {
        Session s = Datacat.createSession(SessionOptions.builder("Throws", "1.0").daemonPort(daemon.port())
                .asyncMode(true).crashReporting(false).build());
        Object evil = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("toString exploded");
            }
        };
        s.logEvent("evil", Level.INFO, Collections.singletonMap("v", evil));
        s.logEvent(null, null, null);
        s.logException(null);
        s.updateState(null);
        s.logGauge("nan", Double.NaN);
        s.logCounter("inf", Double.POSITIVE_INFINITY);
        s.logException(new RuntimeException() {
            @Override
            public String getMessage() {
                throw new IllegalStateException("getMessage exploded");
            }
        });

        Map<String, Object> shared = new HashMap<>();
        AtomicBoolean run = new AtomicBoolean(true);
        Thread mutator = new Thread(() -> {
            int i = 0;
            while (run.get()) {
                shared.put("k" + (i++ % 500), i);
                shared.remove("k" + (i % 500));
            }
        });
        mutator.start();
        for (int i = 0; i < 2_000; i++) {
            s.updateState(shared);
        }
        run.set(false);
        mutator.join();

        assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
        Stats st = s.stats();
        // Every call with something to log is accounted for: delivered, or dropped (NaN,
        // Infinity, failed copies). logException(null) and updateState(null) log nothing.
        long calls = 2 + 2 + 1 + 2_000;
        assertThat(st.sent() + st.dropped()).isEqualTo(calls);
        assertThat(st.dropped()).isGreaterThanOrEqualTo(3);
        assertThat(daemon.invalidBatches.get()).isZero();
        assertThat(daemon.ofKind(RecordKind.EVENT)).anyMatch(r -> r.name().equals("(unnamed)"));
        assertThat(daemon.ofKind(RecordKind.EXCEPTION)).anyMatch(r -> r.text("message").contains("getMessage() threw"));
    }
}

package io.datacat.client;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metric handles and heartbeat allocate nothing per call (a property, not a timing: the
 * JVM's per-thread allocation counter is exact). Timings live in the benchmarks module.
 */
class AllocationTest {

    @Test
    void handleCallsAndHeartbeatAllocateNothing() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon()) {
            Session s = Datacat.createSession(SessionOptions.builder("Alloc", "1.0").daemonPort(daemon.port())
                    .asyncMode(true).crashReporting(false).queueSize(1 << 16).build());
            Counter c = s.counter("enemies");
            Gauge g = s.gauge("fps");
            Histogram h = s.histogram("frame_ms");
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 10_000; i++) {
                    c.increment();
                    g.set(i);
                    h.record(i);
                    s.heartbeat();
                }
                assertThat(s.flush(Duration.ofSeconds(10))).isTrue();
            }
            long before = mx.getThreadAllocatedBytes(tid);
            int calls = 0;
            for (int i = 0; i < 10_000; i++) {
                c.increment();
                g.set(i);
                h.record(i);
                s.heartbeat();
                calls += 4;
            }
            long after = mx.getThreadAllocatedBytes(tid);
            assertThat((after - before) / calls).as("bytes per call (%d bytes for %d calls)", after - before, calls).isZero();
            assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
            assertThat(s.stats().dropped()).isZero();
        }
    }

    /**
     * Events with data, state patches and by-name metrics allocate nothing either, once
     * compiled: map calls copy into the ring's documents, made with the ring (a pool), or into a
     * slot's spare, made once and kept, when a burst outruns the pool.
     */
    @Test
    void mapCallsAndNamedMetricsAllocateNothingOnceCompiled() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon()) {
            Session s = Datacat.createSession(SessionOptions.builder("Alloc", "1.0").daemonPort(daemon.port())
                    .asyncMode(true).crashReporting(false).queueSize(1000).dropOnFull(false).build());
            Map<String, Object> data = new HashMap<>();
            data.put("kind", "orc");
            data.put("x", 1);
            Map<String, Object> position = new HashMap<>();
            position.put("x", 1);
            Map<String, Object> patch = new HashMap<>();
            patch.put("player", position);
            Integer[] small = new Integer[16];
            for (int i = 0; i < small.length; i++) {
                small[i] = i;
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long before = 0;
            int calls = 0;
            for (int round = 0; round < 40; round++) {
                if (round == 39) {
                    before = mx.getThreadAllocatedBytes(tid);
                }
                for (int i = 0; i < 1_000; i++) {
                    data.put("x", small[i & 15]);
                    s.logEvent("enemy_spawned", data);
                    position.put("x", small[i & 15]);
                    s.updateState(patch);
                    s.logGauge("fps", i);
                    s.logCounter("shots", 1);
                    s.logHistogram("update_ms", i);
                    calls += 5;
                }
                if (round < 39) {
                    assertThat(s.flush(Duration.ofSeconds(10))).isTrue();
                    calls = 0;
                }
            }
            long after = mx.getThreadAllocatedBytes(tid);
            assertThat((after - before) / calls).as("bytes per call (%d bytes for %d calls)", after - before, calls).isZero();
            assertThat(s.shutdown(Duration.ofSeconds(10))).isTrue();
            assertThat(s.stats().dropped()).isZero();
        }
    }
}

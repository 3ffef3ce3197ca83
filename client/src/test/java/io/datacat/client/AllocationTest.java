package io.datacat.client;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;

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
}

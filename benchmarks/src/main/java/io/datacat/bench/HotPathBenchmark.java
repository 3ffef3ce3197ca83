package io.datacat.bench;

import io.datacat.client.Counter;
import io.datacat.client.Datacat;
import io.datacat.client.Gauge;
import io.datacat.client.Histogram;

import io.datacat.client.Session;
import io.datacat.client.SessionOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The cost of one logging call on the game thread, averaged over bursts of 1,000 calls. The
 * session's queue is flushed to the real daemon between bursts (not timed), so every call
 * measured takes the accepting path, never the cheaper drop path. The baseline offers the
 * same event to an {@code ArrayBlockingQueue} whose consumer discards it (the hand-off alone,
 * without the HTTP send the guide's worker adds).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class HotPathBenchmark {
    static final int BURST = 1_000;
    static final String SERVER = "datacat.bench.server";
    static final String DAEMON_JAR = "datacat.bench.daemonJar";
    static final String SPOOL = "datacat.bench.spool";

    private Session session;
    private Counter counter;
    private Gauge gauge;
    private Histogram histogram;
    private final Map<String, Object> data = new HashMap<>();
    private final Map<String, Object> patch = new HashMap<>();
    private ArrayBlockingQueue<Object[]> queue;
    private Thread consumer;

    @Setup(Level.Trial)
    public void start() {
        String java = System.getProperty("java.home") + "/bin/java";
        session = Datacat.createSession(SessionOptions.builder("HotPathBench", "1.0")
                .serverUrl(System.getProperty(SERVER))
                .daemonCommand(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
                        System.getProperty(DAEMON_JAR))
                .spoolDir(System.getProperty(SPOOL)).asyncMode(true).queueSize(1 << 16).crashReporting(false)
                .build());
        counter = session.counter("enemies");
        gauge = session.gauge("fps");
        histogram = session.histogram("frame_ms");
        data.put("kind", "orc");
        data.put("x", 12);
        Map<String, Object> position = new HashMap<>();
        position.put("x", 3);
        position.put("y", 4);
        patch.put("player", position);
        queue = new ArrayBlockingQueue<>(10_000);
        consumer = new Thread(() -> {
            try {
                for (;;) {
                    queue.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "baseline-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    @Setup(Level.Invocation)
    public void drain() {
        session.flush(Duration.ofSeconds(30));
    }

    @TearDown(Level.Trial)
    public void stop() {
        session.shutdown(Duration.ofSeconds(10));
        consumer.interrupt();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void counterHandle() {
        for (int i = 0; i < BURST; i++) {
            counter.increment();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void gaugeHandle() {
        for (int i = 0; i < BURST; i++) {
            gauge.set(i);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void histogramHandle() {
        for (int i = 0; i < BURST; i++) {
            histogram.record(i & 63);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void gaugeByName() {
        for (int i = 0; i < BURST; i++) {
            session.logGauge("fps_by_name", i);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void eventWithSmallMap() {
        for (int i = 0; i < BURST; i++) {
            session.logEvent("enemy_spawned", io.datacat.client.Level.INFO, data);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void statePatch() {
        for (int i = 0; i < BURST; i++) {
            session.updateState(patch);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void heartbeat() {
        for (int i = 0; i < BURST; i++) {
            session.heartbeat();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public void baselineBlockingQueueEvent() {
        for (int i = 0; i < BURST; i++) {
            queue.offer(new Object[] {"/event", "enemy_spawned", new HashMap<>(data)});
        }
    }
}

package io.datacat.bench;

import io.datacat.protocol.BatchReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Reading and validating a batch, per record: the work the daemon does on every client batch
 * and the server on every daemon batch ({@code BatchReader}, the same code in both). The
 * daemon runs with the C1 compiler only ({@code -XX:TieredStopAtLevel=1}, daemon/README.md),
 * the server with the JVM's default, so each is measured as it runs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ValidationBenchmark {
    static final int RECORDS = 5_000;

    private final BatchReader reader = new BatchReader(4 << 20);
    private byte[] body;
    private long seqSum;

    /** A batch as the client sends it: events with a small data map, one session. */
    @Setup
    public void batch() {
        StringBuilder sb = new StringBuilder("{\"records\":[");
        for (int i = 0; i < RECORDS; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"sid\":\"3f2a9c1e-0b7d-4c55-9e61-2d8f4a7b9c10\",\"src\":\"app\",")
                    .append("\"seq\":").append(i + 1).append(",\"kind\":\"event\",\"ts\":").append(1_764_300_000_000_000L + i)
                    .append(",\"name\":\"enemy_spawned\",\"level\":\"info\",\"data\":{\"kind\":\"orc\",\"i\":")
                    .append(i).append("}}");
        }
        body = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long readBatch() {
        return read();
    }

    private long read() {
        reader.read(body, r -> seqSum += r.seq());
        return seqSum;
    }
}

package io.datacat.server.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Batch;
import io.datacat.protocol.Json;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.SqliteStore;
import io.datacat.server.store.SqliteSync;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Ingest throughput into SQLite, the server's hot path without HTTP. Run with
 * {@code mvn -q -B -pl protocol,server verify -P ingest-benchmark -DskipTests}.
 *
 * <p>Batches of 5,000 records (the daemon's request size) spread over 8 sessions: 60 %
 * metrics, 30 % events, 5 % state patches, 5 % events with data. Three runs:
 * <ol>
 *   <li>store only: batches parsed into trees beforehand, {@code Ingestor.ingest(Batch)} timed;</li>
 *   <li>parse + store on one thread: JSON bytes → {@code Ingestor.ingest(InputStream)}, as
 *       {@code POST /api/ingest} calls it (a token stream, no tree);</li>
 *   <li>parse on the request threads (2), ingest serialized by the store: the server's
 *       real shape.</li>
 * </ol>
 */
public final class IngestBenchmark {
    private static final int BATCH = 5_000;
    private static final int SESSIONS = 8;
    private static final long T0 = 1_764_294_000_000_000L;

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        System.out.printf("DataCat ingest benchmark: %d batches x %d records, %d cores, %s %s%n", batches, BATCH,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("java.version"));
        List<byte[]> bodies = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            bodies.add(Json.mapper().writeValueAsBytes(batchJson(b)));
        }
        storeOnly(bodies);
        parseAndStore(bodies);
        parallelParse(bodies, 2);
    }

    private static void storeOnly(List<byte[]> bodies) throws IOException {
        List<Batch> parsed = bodies.stream().map(Batch::parse).toList();
        withStore("store only", bodies.size(), ingestor -> {
            for (Batch b : parsed) {
                ingestor.ingest(b);
            }
        });
    }

    private static void parseAndStore(List<byte[]> bodies) throws IOException {
        withStore("parse + store, 1 thread", bodies.size(), ingestor -> {
            for (byte[] body : bodies) {
                ingestor.ingest(new ByteArrayInputStream(body));
            }
        });
    }

    private static void parallelParse(List<byte[]> bodies, int threads) throws IOException {
        withStore("parse on " + threads + " threads + store", bodies.size(), ingestor -> {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (byte[] body : bodies) {
                    done.add(pool.submit(() -> ingestor.ingest(new ByteArrayInputStream(body))));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                pool.shutdownNow();
            }
        });
    }

    private interface Run {
        void run(Ingestor ingestor) throws Exception;
    }

    private static void withStore(String name, int batches, Run run) throws IOException {
        Path dir = Files.createTempDirectory("datacat-bench");
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            Ingestor ingestor = new Ingestor(store);
            long start = System.nanoTime();
            run.run(ingestor);
            double seconds = (System.nanoTime() - start) / 1e9;
            long stored = store.read(ReadTransaction::countRecords);
            System.out.printf("%-34s %,10d records in %6.2f s = %,9.0f records/s%n", name, stored, seconds,
                    stored / seconds);
            if (stored != (long) batches * BATCH) {
                throw new IllegalStateException("stored " + stored + " records, expected " + batches * BATCH);
            }
        } catch (Exception e) {
            throw new IllegalStateException(name + " failed", e);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static ObjectNode batchJson(int b) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode records = root.putArray("records");
        for (int i = 0; i < BATCH; i++) {
            int session = i % SESSIONS;
            long seq = (long) b * (BATCH / SESSIONS) + i / SESSIONS + 1;
            ObjectNode r = records.addObject().put("sid", "bench-session-" + session).put("seq", seq)
                    .put("ts", T0 + seq * 1_000);
            int mix = i % 20;
            if (mix < 12) {
                r.put("kind", "metric").put("name", "frame_time_ms").put("type", "gauge").put("value", 16.0 + mix);
            } else if (mix < 18) {
                r.put("kind", "event").put("name", "enemy_spawned").put("level", "info").put("category", "gameplay");
            } else if (mix == 18) {
                r.put("kind", "state").putObject("patch").putObject("player").put("x", i).put("y", seq);
            } else {
                r.put("kind", "event").put("name", "level_loaded").put("level", "info").putObject("data")
                        .put("level", "forest-" + b).put("load_ms", 1234);
            }
        }
        return root;
    }
}

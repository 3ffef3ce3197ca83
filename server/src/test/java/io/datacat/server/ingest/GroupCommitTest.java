package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.RecordRow;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoreException;
import io.datacat.server.store.WriteTransaction;
import io.datacat.server.testing.ForwardingStore;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Concurrent {@code POST /api/ingest} requests share transactions: the request that gets the
 * writer stores every batch waiting by then. Each request still gets its own result, and a
 * batch that fails fails only its own request.
 */
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class GroupCommitTest {
    @Parameter
    TestStores.Kind kind;
    private TestStores.Location location;
    private static final int REQUESTS = 6;

    @TempDir
    Path dir;
    private Store real;
    private GatedStore store;
    private ExecutorService pool;

    @BeforeEach
    void open() {
        location = TestStores.location(kind, dir);
        real = location.open();
        store = new GatedStore(real, REQUESTS);
        pool = Executors.newFixedThreadPool(REQUESTS);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        real.close();
    }

    private static byte[] body(String sid, int events, String name) {
        List<ObjectNode> records = new ArrayList<>();
        records.add(start(sid, 1, "Game", "1.0"));
        for (int i = 0; i < events; i++) {
            records.add(event(sid, 2 + i, name, "info"));
        }
        return batchJson(records.toArray(ObjectNode[]::new)).toString().getBytes(StandardCharsets.UTF_8);
    }

    private List<CompletableFuture<IngestResult>> sendAll(Ingestor ingestor, List<byte[]> bodies) {
        List<CompletableFuture<IngestResult>> results = new ArrayList<>();
        for (byte[] b : bodies) {
            results.add(CompletableFuture.supplyAsync(() -> ingestor.ingest(new ByteArrayInputStream(b)), pool));
        }
        return results;
    }

    @Test
    void waitingBatchesAreStoredInOneTransactionEachWithItsOwnResult() {
        Ingestor ingestor = new Ingestor(store);
        List<byte[]> bodies = new ArrayList<>();
        for (int r = 0; r < REQUESTS; r++) {
            bodies.add(body("s" + r, 100 * (r + 1), "e"));
        }

        List<CompletableFuture<IngestResult>> results = sendAll(ingestor, bodies);

        for (int r = 0; r < REQUESTS; r++) {
            assertThat(results.get(r).join()).isEqualTo(new IngestResult(1 + 100 * (r + 1), 0));
        }
        assertThat(store.largestGroup.get()).as("batches in the fullest transaction").isEqualTo(REQUESTS);
        assertThat(real.read(ReadTransaction::countRecords)).isEqualTo(REQUESTS + 100L * 21);

        // A replay, grouped the same way, is all duplicates.
        store.reopenGate();
        for (CompletableFuture<IngestResult> replay : sendAll(ingestor, bodies)) {
            assertThat(replay.join().accepted()).isZero();
        }
        assertThat(real.read(ReadTransaction::countRecords)).isEqualTo(REQUESTS + 100L * 21);
    }

    @Test
    void aBatchThatFailsFailsOnlyItsOwnRequest() {
        Ingestor ingestor = new Ingestor(store);
        List<byte[]> bodies = new ArrayList<>();
        for (int r = 0; r < REQUESTS; r++) {
            bodies.add(body("s" + r, 50, r == 2 ? GatedStore.POISON : "e"));
        }

        List<CompletableFuture<IngestResult>> results = sendAll(ingestor, bodies);

        for (int r = 0; r < REQUESTS; r++) {
            CompletableFuture<IngestResult> result = results.get(r);
            if (r == 2) {
                assertThat(result).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                        .havingRootCause().isInstanceOf(StoreException.class).withMessageContaining("poison");
            } else {
                assertThat(result.join()).isEqualTo(new IngestResult(51, 0));
            }
        }
        assertThat(real.read(ReadTransaction::countRecords)).isEqualTo((REQUESTS - 1) * 51L);
    }

    @Test
    void aStoreFailingBeforeAnyBatchIsTakenAnswersEveryRequestAndStoresWhatItSays() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        Store flaky = new GatedStore(real, 1) {
            @Override
            public <T> T write(Work<T, WriteTransaction> work) {
                if (writes.incrementAndGet() % 2 == 0) {
                    throw new StoreException("the database is locked by another program");
                }
                return super.write(work);
            }
        };
        Ingestor ingestor = new Ingestor(flaky);
        List<byte[]> bodies = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int r = 0; r < REQUESTS; r++) {
                bodies.add(body("s" + round + "-" + r, 20, "e"));
            }
        }

        long stored = 0;
        int refused = 0;
        for (CompletableFuture<IngestResult> result : sendAll(ingestor, bodies)) {
            try {
                IngestResult r = result.get(20, TimeUnit.SECONDS);
                assertThat(r.accepted()).isEqualTo(21);
                stored += r.accepted();
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreException.class);
                refused++;
            }
        }
        assertThat(real.read(ReadTransaction::countRecords)).as("stored exactly what was answered stored")
                .isEqualTo(stored);
        assertThat(refused).as("some requests met the failing store").isPositive();
    }

    /**
     * The real store, whose first transaction waits until every request has reached the writer
     * (so they all queue behind it), and which counts the batches each transaction stores and
     * fails any batch holding an event named {@link #POISON}.
     */
    private static class GatedStore extends ForwardingStore {
        static final String POISON = "poison";
        private final int requests;
        private final AtomicInteger entered = new AtomicInteger();
        private volatile boolean gateOpen;
        final AtomicInteger largestGroup = new AtomicInteger();

        GatedStore(Store real, int requests) {
            super(real);
            this.requests = requests;
        }

        void reopenGate() {
            entered.set(0);
            gateOpen = false;
        }

        @Override
        public <T> T write(Work<T, WriteTransaction> work) {
            entered.incrementAndGet();
            return super.write(tx -> {
                if (!gateOpen) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> entered.get() >= requests);
                    gateOpen = true;
                }
                AtomicInteger batches = new AtomicInteger();
                T result = work.run(counting(tx, batches));
                largestGroup.accumulateAndGet(batches.get(), Math::max);
                return result;
            });
        }

        private static WriteTransaction counting(WriteTransaction tx, AtomicInteger batches) {
            return (WriteTransaction) Proxy.newProxyInstance(WriteTransaction.class.getClassLoader(),
                    new Class<?>[] {WriteTransaction.class}, (proxy, method, args) -> {
                        if (method.getName().equals("insertRecords")) {
                            batches.incrementAndGet();
                            @SuppressWarnings("unchecked")
                            List<RecordRow> rows = (List<RecordRow>) args[0];
                            if (rows.stream().anyMatch(row -> POISON.equals(row.name()))) {
                                throw new StoreException("a poison batch");
                            }
                        }
                        try {
                            return method.invoke(tx, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}

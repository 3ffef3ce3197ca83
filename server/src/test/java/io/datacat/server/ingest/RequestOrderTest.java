package io.datacat.server.ingest;

import io.datacat.protocol.InvalidInputException;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.SqliteStore;
import io.datacat.server.store.SqliteSync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.datacat.server.testing.TestRecords.batchJson;
import static io.datacat.server.testing.TestRecords.daemon;
import static io.datacat.server.testing.TestRecords.record;
import static io.datacat.server.testing.TestRecords.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Numbered requests of one stream are stored in their order, whatever order they arrive in. */
class RequestOrderTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static RequestOrder.Ticket ticket(String stream, long n) {
        return new RequestOrder.Ticket(stream, n);
    }

    @Test
    void aRequestWaitsForItsPredecessorAndGoesOnceItIsStored() {
        RequestOrder order = new RequestOrder();
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> order.awaitTurn(ticket("s", 2)), pool);
        order.awaitTurn(ticket("other", 1));

        assertThat(second).as("waits for request 1").isNotDone();
        order.awaitTurn(ticket("s", 1));
        order.finished(ticket("s", 1), true);
        assertThat(second).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aRequestAfterOneThatWasNotStoredIsRefused() {
        RequestOrder order = new RequestOrder();
        CompletableFuture<Void> third = CompletableFuture.runAsync(() -> order.awaitTurn(ticket("s", 3)), pool);
        order.finished(ticket("s", 1), true);
        order.finished(ticket("s", 2), false);

        assertThat(third).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause()
                .isInstanceOf(OutOfOrderException.class).withMessageContaining("request 2 of stream s was not stored");
        assertThatThrownBy(() -> order.awaitTurn(ticket("s", 4))).isInstanceOf(OutOfOrderException.class);
        order.awaitTurn(ticket("fresh", 1));
    }

    @Test
    void aPredecessorThatNeverComesTimesOut() {
        RequestOrder order = new RequestOrder(Duration.ofMillis(200));
        assertThatThrownBy(() -> order.awaitTurn(ticket("s", 5))).isInstanceOf(OutOfOrderException.class)
                .hasMessageContaining("request 4 of stream s did not come");
    }

    @Test
    void aPredecessorBeingStoredIsWaitedForPastTheDeadline() {
        RequestOrder order = new RequestOrder(Duration.ofMillis(200));
        order.arrived(ticket("s", 1));
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> order.awaitTurn(ticket("s", 2)), pool);

        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() -> !second.isDone());
        order.finished(ticket("s", 1), true);
        assertThat(second).succeedsWithin(Duration.ofSeconds(5));
    }

    @Test
    void aRequestWhoseBodyCannotBeReadRefusesTheNextAtOnce() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            Ingestor ingestor = new Ingestor(store);
            assertThatThrownBy(() -> ingestor.ingest(() -> {
                throw new IllegalStateException("body too large");
            }, ticket("d2", 1))).hasMessage("body too large");
            byte[] next = batchJson(start("h", 1, "Game", "1.0")).toString().getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> ingestor.ingest(() -> new ByteArrayInputStream(next), ticket("d2", 2)))
                    .isInstanceOf(OutOfOrderException.class).hasMessageContaining("was not stored");
            assertThat(store.read(ReadTransaction::countRecords)).isZero();
        }
    }

    @Test
    void theHeaderIsReadStrictly() {
        assertThat(RequestOrder.Ticket.parse(null)).isNull();
        assertThat(RequestOrder.Ticket.parse(" k3x-9_a/12 ")).isEqualTo(ticket("k3x-9_a", 12));
        for (String bad : new String[] {"", "s", "s/0", "s/-1", "/1", "a b/1", "s/1/2", "s/x", "s/1234567890123456789"}) {
            assertThatThrownBy(() -> RequestOrder.Ticket.parse(bad)).as(bad).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("Datacat-Order");
        }
    }

    @Test
    void aHangAndItsRecoveryArrivingInReverseAreAppliedInTheirOrder() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            Ingestor ingestor = new Ingestor(store);
            byte[] first = batchJson(start("g", 1, "Game", "1.0"), daemon(record("g", 10, "hang")
                    .put("thread", "main").put("timeout_ms", 5000).put("silent_ms", 6000)))
                    .toString().getBytes(StandardCharsets.UTF_8);
            byte[] second = batchJson(daemon(record("g", 11, "recovered").put("duration_ms", 900)))
                    .toString().getBytes(StandardCharsets.UTF_8);

            CompletableFuture<IngestResult> recovered = CompletableFuture.supplyAsync(
                    () -> ingestor.ingest(() -> new ByteArrayInputStream(second), ticket("d1", 2)), pool);
            await().atMost(Duration.ofSeconds(5)).until(() -> store.read(tx -> tx.session("g")).isEmpty()
                    && !recovered.isDone() && waitingThreads() > 0);
            IngestResult hang = ingestor.ingest(() -> new ByteArrayInputStream(first), ticket("d1", 1));

            assertThat(hang.accepted()).isEqualTo(2);
            assertThat(recovered).succeedsWithin(Duration.ofSeconds(5)).extracting(IngestResult::accepted)
                    .isEqualTo(1);
            SessionRow g = store.read(tx -> tx.session("g")).orElseThrow();
            assertThat(g.hangCount()).isEqualTo(1);
            assertThat(g.hung()).as("recovered after the hang, as numbered").isFalse();
            assertThat(store.read(ReadTransaction::countRecords)).isEqualTo(3);
        }
    }

    /** Threads of this test's pool parked in {@link RequestOrder#awaitTurn}. */
    private static long waitingThreads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getState() == Thread.State.TIMED_WAITING)
                .filter(e -> Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getMethodName().equals("awaitTurn")))
                .count();
    }
}

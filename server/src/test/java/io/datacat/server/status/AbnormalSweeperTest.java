package io.datacat.server.status;

import io.datacat.server.ingest.CommitListener;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.SessionStatus;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoreUnavailableException;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.datacat.server.testing.TestRecords.T0;
import static io.datacat.server.testing.TestRecords.batch;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sweeper against a real store, on a clock the test moves. */
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class AbnormalSweeperTest {
    @Parameter
    TestStores.Kind kind;
    private TestStores.Location location;
    private static final long SECOND = 1_000_000;
    private static final Duration AFTER = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(T0);
    /** What the sweeper told its listener (the live feed, in the server). */
    private final List<CommitListener.Committed> told = new ArrayList<>();
    private Store store;
    private Ingestor ingestor;

    @BeforeEach
    void open() {
        location = TestStores.location(kind, dir);
        store = location.open();
        ingestor = new Ingestor(store, now::get);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private SessionRow session(String id) {
        return store.read(tx -> tx.session(id)).orElseThrow();
    }

    @Test
    void marksSilentActiveSessionsOnlyOnceTheServerHasBeenUpLongEnough() {
        ingestor.ingest(batch(start("silent", 1, "Game", "1.0")));
        long lastSeen = now.get();
        ingestor.ingest(batch(start("ended", 1, "Game", "1.0"), end("ended", 2)));
        now.addAndGet(600 * SECOND); // the server was down for ten minutes

        AbnormalSweeper sweeper = new AbnormalSweeper(store, AFTER, now::get, told::add);
        now.addAndGet(89 * SECOND);
        assertThat(sweeper.sweep()).as("a fresh chance after a restart").isZero();
        assertThat(session("silent").status()).isEqualTo(SessionStatus.ACTIVE);

        ingestor.ingest(batch(start("talking", 1, "Game", "1.0")));
        now.addAndGet(2 * SECOND);
        assertThat(sweeper.sweep()).isEqualTo(1);

        SessionRow silent = session("silent");
        assertThat(silent.status()).isEqualTo(SessionStatus.ABNORMAL);
        assertThat(silent.endedAt()).isEqualTo(lastSeen);
        assertThat(session("talking").status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(session("ended").status()).isEqualTo(SessionStatus.ENDED);
    }

    /** The daemons could not deliver while the store was out: each session gets the whole timeout again after it. */
    @Test
    void anOutageOfTheStoreGivesEverySessionTheWholeTimeoutAgain() {
        AtomicBoolean storeOut = new AtomicBoolean();
        Store flaky = new ForwardingStore(store) {
            @Override
            public <T> T write(Work<T, WriteTransaction> work) {
                if (storeOut.get()) {
                    throw new StoreUnavailableException("the database cannot be reached; retry later", null);
                }
                return super.write(work);
            }

            @Override
            public <T> T read(Work<T, ReadTransaction> work) {
                if (storeOut.get()) {
                    throw new StoreUnavailableException("the database cannot be reached; retry later", null);
                }
                return super.read(work);
            }
        };
        AbnormalSweeper sweeper = new AbnormalSweeper(flaky, AFTER, now::get, told::add);
        now.addAndGet(100 * SECOND);
        ingestor.ingest(batch(start("s", 1, "Game", "1.0")));

        // Out for 190 s, longer than the timeout, with a pass every 5 s as the server makes them.
        storeOut.set(true);
        for (int t = 0; t < 190; t += 5) {
            now.addAndGet(5 * SECOND);
            assertThatThrownBy(sweeper::sweep).isInstanceOf(StoreUnavailableException.class);
        }
        storeOut.set(false);

        now.addAndGet(5 * SECOND);
        assertThat(sweeper.sweep()).as("back: the grace starts now").isZero();
        now.addAndGet(89 * SECOND);
        assertThat(sweeper.sweep()).as("silent 284 s, but only 89 s since the store came back").isZero();
        now.addAndGet(2 * SECOND);
        assertThat(sweeper.sweep()).isEqualTo(1);
    }

    @Test
    void marksASessionOnlyAfterItHasBeenSilentForTheWholeTime() {
        AbnormalSweeper sweeper = new AbnormalSweeper(store, AFTER, now::get, told::add);
        now.addAndGet(100 * SECOND);
        ingestor.ingest(batch(start("s", 1, "Game", "1.0")));

        now.addAndGet(90 * SECOND);
        assertThat(sweeper.sweep()).isZero();
        now.addAndGet(SECOND);
        assertThat(sweeper.sweep()).isEqualTo(1);
        assertThat(sweeper.sweep()).as("abnormal once").isZero();
    }

    @Test
    void tellsItsListenerWhichSessionsItMarked() {
        AbnormalSweeper sweeper = new AbnormalSweeper(store, AFTER, now::get, told::add);
        now.addAndGet(100 * SECOND);
        ingestor.ingest(batch(start("s", 1, "Game", "1.0"), start("t", 1, "Game", "1.0")));
        now.addAndGet(91 * SECOND);
        assertThat(sweeper.sweep()).isEqualTo(2);

        assertThat(told).hasSize(1);
        assertThat(told.get(0).records()).isEmpty();
        assertThat(told.get(0).sessions()).extracting(SessionRow::id).containsExactlyInAnyOrder("s", "t");
        assertThat(told.get(0).sessions()).extracting(SessionRow::status).containsOnly(SessionStatus.ABNORMAL);

        assertThat(sweeper.sweep()).isZero();
        assertThat(told).as("a pass that marks nothing tells nothing").hasSize(1);
    }

    @Test
    void aFailingListenerDoesNotUndoOrFailThePass() {
        AbnormalSweeper sweeper = new AbnormalSweeper(store, AFTER, now::get, committed -> {
            throw new IllegalStateException("listener bug");
        });
        now.addAndGet(100 * SECOND);
        ingestor.ingest(batch(start("s", 1, "Game", "1.0")));
        now.addAndGet(91 * SECOND);
        assertThat(sweeper.sweep()).isEqualTo(1);
        assertThat(session("s").status()).isEqualTo(SessionStatus.ABNORMAL);
    }

    @Test
    void sweepsEveryFewSecondsOrFasterForAShortTimeout() {
        assertThat(AbnormalSweeper.sweepInterval(90 * SECOND)).isEqualTo(Duration.ofSeconds(5));
        assertThat(AbnormalSweeper.sweepInterval(3 * SECOND)).isEqualTo(Duration.ofSeconds(1));
        assertThat(AbnormalSweeper.sweepInterval(SECOND / 100)).isEqualTo(Duration.ofMillis(100));
    }
}

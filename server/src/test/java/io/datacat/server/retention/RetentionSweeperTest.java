package io.datacat.server.retention;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.Store;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static io.datacat.server.testing.TestRecords.T0;
import static io.datacat.server.testing.TestRecords.batch;
import static io.datacat.server.testing.TestRecords.crash;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.metric;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestRecords.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retention against a real SQLite store, on a clock the test moves. */
@ParameterizedClass(name = "store: {0}")
@EnumSource(TestStores.Kind.class)
class RetentionSweeperTest {
    @Parameter
    TestStores.Kind kind;
    private TestStores.Location location;
    private static final long SECOND = 1_000_000;
    private static final Duration KEEP = Duration.ofDays(30);
    private static final List<String> TABLES_BY_SESSION = List.of("sessions", "records", "state_snapshots",
            "state_values", "session_event_names", "seq_ranges");

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(T0);
    private Store store;
    private Ingestor ingestor;
    private RetentionSweeper sweeper;

    @BeforeEach
    void open() {
        location = TestStores.location(kind, dir);
        store = location.open();
        ingestor = new Ingestor(store, now::get);
        sweeper = new RetentionSweeper(store, KEEP, now::get);
    }

    @AfterEach
    void close() {
        sweeper.close();
        store.close();
    }

    /** A session with events, metrics, enough state patches for a snapshot, and an end (or a crash). */
    private void fullSession(String sid, boolean crashed) {
        List<ObjectNode> records = new ArrayList<>();
        records.add(start(sid, 1, "Game", "1.0"));
        long seq = 2;
        for (int i = 0; i < 300; i++) {
            records.add(event(sid, seq++, "enemy_spawned", i % 50 == 0 ? "warning" : "info"));
            records.add(metric(sid, seq++, "fps", 60));
            records.add(state(sid, seq++, "{\"level\": " + (i % 3) + ", \"player\": {\"hp\": " + i + "}}"));
        }
        records.add(crashed ? crash(sid, seq, "segfault") : end(sid, seq));
        ingestor.ingest(batch(records.toArray(new ObjectNode[0])));
    }

    private long records() {
        return store.read(ReadTransaction::countRecords);
    }

    private long sessions() {
        return store.read(ReadTransaction::countSessions);
    }

    private long sk(String sid) {
        return store.read(tx -> tx.session(sid)).orElseThrow().sk();
    }

    /** Rows of each table that belong to session {@code sk}, read straight from the database. */
    private Map<String, Long> rowsOf(long sk) throws SQLException {
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection c = location.connect()) {
            for (String table : TABLES_BY_SESSION) {
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE sk = ?")) {
                    ps.setLong(1, sk);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        rows.put(table, rs.getLong(1));
                    }
                }
            }
        }
        return rows;
    }

    @Test
    void deletesEndedSessionsOlderThanTheRetentionWithEverythingStoredAboutThem() throws SQLException {
        fullSession("ended-long-ago", false);
        fullSession("crashed-long-ago", true);
        ingestor.ingest(batch(start("still-running", 1, "Game", "1.0")));
        long ended = sk("ended-long-ago");
        long crashed = sk("crashed-long-ago");
        long running = sk("still-running");
        assertThat(rowsOf(ended)).allSatisfy((table, n) -> assertThat(n).as(table).isPositive());

        now.addAndGet(KEEP.toSeconds() * SECOND - SECOND);
        fullSession("ended-recently", false);
        assertThat(sweeper.sweep()).as("nothing is older than the retention yet").isZero();

        now.addAndGet(2 * SECOND);
        long recordsBefore = records();
        long recordsOfOld = rowsOf(ended).get("records") + rowsOf(crashed).get("records");
        assertThat(sweeper.sweep()).isEqualTo(2);

        assertThat(rowsOf(ended)).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
        assertThat(rowsOf(crashed)).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
        assertThat(store.read(tx -> tx.session("ended-long-ago")).isPresent()).isFalse();
        assertThat(records()).isEqualTo(recordsBefore - recordsOfOld);
        // An active session is never deleted, however long it has been silent (the abnormal
        // sweeper ends it first); a session that ended within the retention is kept whole.
        assertThat(rowsOf(running).get("sessions")).isEqualTo(1);
        assertThat(rowsOf(sk("ended-recently"))).allSatisfy((table, n) -> assertThat(n).as(table).isPositive());
        assertThat(sweeper.sweep()).isZero();
    }

    @Test
    void aLongSessionIsDeletedOverSeveralTransactions() {
        int records = 2 * RetentionSweeper.RECORDS_PER_TRANSACTION + 123;
        List<ObjectNode> batch = new ArrayList<>();
        batch.add(start("long", 1, "Game", "1.0"));
        for (int i = 0; i < records; i++) {
            batch.add(metric("long", i + 2, "fps", 60));
        }
        batch.add(end("long", records + 2));
        ingestor.ingest(batch(batch.toArray(new ObjectNode[0])));
        assertThat(records()).isEqualTo(records + 2);

        now.addAndGet(KEEP.toSeconds() * SECOND + SECOND);
        assertThat(sweeper.sweep()).isEqualTo(1);
        assertThat(records()).isZero();
        assertThat(sessions()).isZero();
    }

    @Test
    void aSessionHeardFromAgainIsKeptAndMoreThanOneReadOfExpiredSessionsIsSwept() throws SQLException {
        int sessions = RetentionSweeper.SESSIONS_PER_READ + 5;
        for (int i = 0; i < sessions; i++) {
            ingestor.ingest(batch(start("s" + i, 1, "Game", "1.0"), end("s" + i, 2)));
        }
        now.addAndGet(KEEP.toSeconds() * SECOND + SECOND);
        // A daemon delivers a late record of one of them: the server has just heard from it.
        ingestor.ingest(batch(event("s7", 3, "late", "info")));
        Map<String, Long> late = rowsOf(sk("s7"));

        assertThat(sweeper.sweep()).isEqualTo(sessions - 1);
        assertThat(sessions()).isOne();
        assertThat(rowsOf(sk("s7"))).isEqualTo(late);
        assertThat(records()).isEqualTo(late.get("records"));
    }

    /**
     * A late delivery between two of a long session's deletions: the deletion is finished (the
     * late record with it), so no half-deleted session is left, and a replay afterwards is
     * stored whole as a new session.
     */
    @Test
    void aSessionRevivedHalfwayThroughItsDeletionIsDeletedWholeAndAReplayStartsAfresh() throws SQLException {
        List<ObjectNode> batch = new ArrayList<>();
        batch.add(start("long", 1, "Game", "1.0"));
        int metrics = RetentionSweeper.RECORDS_PER_TRANSACTION + 100;
        for (int i = 0; i < metrics; i++) {
            batch.add(metric("long", i + 2, "fps", 60));
        }
        batch.add(end("long", metrics + 2));
        ingestor.ingest(batch(batch.toArray(new ObjectNode[0])));
        long oldSk = sk("long");
        now.addAndGet(KEEP.toSeconds() * SECOND + SECOND);

        boolean[] revived = {false};
        Store interleaved = afterFirstFullChunk(() -> {
            revived[0] = true;
            ingestor.ingest(batch(event("long", metrics + 3, "late", "info")));
        });
        try (RetentionSweeper sweeping = new RetentionSweeper(interleaved, KEEP, now::get)) {
            assertThat(sweeping.sweep()).isOne();
        }
        assertThat(revived[0]).isTrue();
        assertThat(rowsOf(oldSk)).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
        assertThat(sessions()).isZero();

        ingestor.ingest(batch(batch.toArray(new ObjectNode[0])));
        assertThat(records()).isEqualTo(rowsOf(sk("long")).get("records")).isGreaterThan(metrics);
    }

    /** A session heard from again while another one's deletion runs is kept: its own had not begun. */
    @Test
    void aSessionHeardFromAgainBeforeItsDeletionBeganIsKeptWhileAnotherIsDeleted() throws SQLException {
        List<ObjectNode> batch = new ArrayList<>();
        batch.add(start("first", 1, "Game", "1.0"));
        for (int i = 0; i < RetentionSweeper.RECORDS_PER_TRANSACTION + 100; i++) {
            batch.add(metric("first", i + 2, "fps", 60));
        }
        batch.add(end("first", RetentionSweeper.RECORDS_PER_TRANSACTION + 102));
        ingestor.ingest(batch(batch.toArray(new ObjectNode[0])));
        now.addAndGet(SECOND);
        ingestor.ingest(batch(start("second", 1, "Game", "1.0"), end("second", 2)));
        now.addAndGet(KEEP.toSeconds() * SECOND + SECOND);

        Store interleaved = afterFirstFullChunk(() -> ingestor.ingest(batch(event("second", 3, "late", "info"))));
        try (RetentionSweeper sweeping = new RetentionSweeper(interleaved, KEEP, now::get)) {
            assertThat(sweeping.sweep()).isOne();
        }
        assertThat(store.read(tx -> tx.session("first")).isPresent()).isFalse();
        Map<String, Long> kept = rowsOf(sk("second"));
        assertThat(kept.get("sessions")).isOne();
        assertThat(kept.get("records")).as("start, end and the late event").isEqualTo(3);
    }

    /** The store, running {@code between} once, right after the first write that deleted a full chunk. */
    private Store afterFirstFullChunk(Runnable between) {
        boolean[] ran = {false};
        return new ForwardingStore(store) {
            @Override
            public <T> T write(Work<T, WriteTransaction> work) {
                T result = super.write(work);
                if (!ran[0] && Integer.valueOf(RetentionSweeper.RECORDS_PER_TRANSACTION).equals(result)) {
                    ran[0] = true;
                    between.run();
                }
                return result;
            }
        };
    }

    @Test
    void zeroKeepsEverySession() {
        ingestor.ingest(batch(start("kept", 1, "Game", "1.0"), end("kept", 2)));
        now.addAndGet(3_650L * 86_400 * SECOND);
        try (RetentionSweeper keepAll = new RetentionSweeper(store, Duration.ZERO, now::get)) {
            assertThat(keepAll.sweep()).isZero();
        }
        assertThat(sessions()).isOne();
    }

    @Test
    void parsesDaysHoursMinutesAndSecondsAndExplainsAnythingElse() {
        assertThat(RetentionSweeper.parse("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(RetentionSweeper.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(RetentionSweeper.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(RetentionSweeper.parse(" 45S ")).isEqualTo(Duration.ofSeconds(45));
        assertThat(RetentionSweeper.parse("0")).isZero();
        for (String bad : new String[] {"", "90", "-1d", "0d", "2w", "1.5d", "d", "forever", "9999999999d"}) {
            assertThatThrownBy(() -> RetentionSweeper.parse(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--retention must be a number of days (90d), hours (12h), minutes (30m) or seconds "
                            + "(45s), or 0 to keep every session; got '" + bad + "'");
        }
        assertThatThrownBy(() -> RetentionSweeper.parse("36501d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--retention can be at most 36500d (100 years), or 0 to keep every session; got '36501d'");
        assertThat(RetentionSweeper.parse("876000h")).isEqualTo(Duration.ofDays(36_500));
        assertThat(RetentionSweeper.describe(Duration.ofDays(90)))
                .isEqualTo("sessions that ended more than 90 days ago are deleted (--retention)");
        assertThat(RetentionSweeper.describe(Duration.ofMinutes(1)))
                .isEqualTo("sessions that ended more than 1 minute ago are deleted (--retention)");
    }

    @Test
    void sweepsAQuarterOfTheRetentionApartBetweenASecondAndAnHour() {
        assertThat(RetentionSweeper.sweepInterval(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
        assertThat(RetentionSweeper.sweepInterval(Duration.ofMinutes(2))).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetentionSweeper.sweepInterval(Duration.ofDays(90))).isEqualTo(Duration.ofHours(1));
    }
}

package io.datacat.server.store;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.Source;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteStoreTest {
    private static final long T0 = 1_764_294_000_000_000L;

    @TempDir
    Path dir;

    private static int userVersion(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

    private static SessionRow newSession(Store store, String id) {
        return store.write(tx -> tx.insertSession(SessionRow.placeholder(id, T0, T0).build()));
    }

    @Test
    void createsTheSchemaInWalModeAndOpensItAgain() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            newSession(store, "s1");
            assertThat(store.describe()).isEqualTo("SQLite " + dir.toAbsolutePath().resolve("datacat.db"));
        }
        Path db = dir.resolve(SqliteStore.FILE_NAME);
        assertThat(userVersion(db)).isEqualTo(SqliteSchema.VERSION);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            assertThat(rs.getString(1)).isEqualTo("wal");
        }
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.FULL)) {
            assertThat(store.read(ReadTransaction::countSessions)).isEqualTo(1);
        }
    }

    @Test
    void refusesADatabaseOfANewerServer() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            newSession(store, "s1");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME));
             Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> SqliteStore.open(dir, SqliteSync.NORMAL)).isInstanceOf(StoreException.class)
                .hasMessageContaining("newer DataCat server").hasMessageContaining("schema version 99");
    }

    @Test
    void refusesAFileThatIsNotADatabase() throws Exception {
        Files.writeString(dir.resolve(SqliteStore.FILE_NAME), "this is not a database, just some text ".repeat(200));
        assertThatThrownBy(() -> SqliteStore.open(dir, SqliteSync.NORMAL)).isInstanceOf(StoreException.class)
                .hasMessageContaining("is not an SQLite database");
    }

    @Test
    void oneStoreAtATimeUsesAFolder() {
        try (SqliteStore first = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            assertThatThrownBy(() -> SqliteStore.open(dir, SqliteSync.NORMAL)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("another DataCat server is using the data folder");
            assertThat(first.read(ReadTransaction::countSessions)).isZero();
        }
        SqliteStore.open(dir, SqliteSync.NORMAL).close();
    }

    @Test
    void readsDoNotWaitForAWriteInProgress() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            newSession(store, "committed");
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> store.write(tx -> {
                tx.insertSession(SessionRow.placeholder("uncommitted", T0, T0).build());
                writing.countDown();
                await(finish);
                return null;
            }));
            await(writing);

            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() ->
                    store.read(ReadTransaction::countSessions));
            assertThat(read.get(5, TimeUnit.SECONDS)).as("the read sees the last commit").isEqualTo(1);

            finish.countDown();
            write.get(5, TimeUnit.SECONDS);
            assertThat(store.read(ReadTransaction::countSessions)).isEqualTo(2);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFailedWriteIsRolledBack() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            assertThatThrownBy(() -> store.write(tx -> {
                tx.insertSession(SessionRow.placeholder("gone", T0, T0).build());
                throw new IllegalStateException("fail after the insert");
            })).hasMessage("fail after the insert");
            assertThat(store.read(ReadTransaction::countSessions)).isZero();
            newSession(store, "next");
            assertThat(store.read(ReadTransaction::countSessions)).isEqualTo(1);
        }
    }

    @Test
    void rowsComeBackAsTheyWereWritten() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            SessionRow inserted = newSession(store, "round-trip");
            SessionRow changed = inserted.toBuilder()
                    .started("Game", "1.0", "host", "machine", 77L, "java/0.1.0", T0 + 5)
                    .status(SessionStatus.CRASHED).endedAt(T0 + 9).hung(true).hangCount(2)
                    .crash("killed", "{\"signal\":9}").state("{\"a\":1}", new StateKey(Source.API, 3))
                    .counts(new RecordCounts(5, 1, 1, 1, 1)).counters(new SessionCounters(4, 3, T0 + 8))
                    .lastSeen(T0 + 10).build();
            store.write(tx -> {
                tx.updateSession(changed);
                return null;
            });
            Optional<SessionRow> read = store.read(tx -> tx.session("round-trip"));
            assertThat(read).contains(changed);
        }
    }

    @Test
    void aPageStopsEarlyWhenItsBodiesGetLarge() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            long sk = newSession(store, "big").sk();
            String big = "{\"name\":\"" + "x".repeat(ReadTransaction.PAGE_BODY_BUDGET_CHARS / 3) + "\"}";
            List<RecordRow> rows = new ArrayList<>();
            for (int seq = 1; seq <= 5; seq++) {
                rows.add(new RecordRow(sk, Source.APP, seq, RecordKind.EVENT, T0 + seq, "big", "info", null, big));
            }
            store.write(tx -> tx.insertRecords(rows));

            RecordPage first = store.read(tx -> tx.records(sk, RecordFilter.of(Set.of()), 100));
            // three bodies pass the budget, so the fourth waits for the next page
            assertThat(first.records()).hasSize(3);
            assertThat(first.more()).isTrue();
            RecordPage rest = store.read(tx -> tx.records(sk, new RecordFilter(Set.of(), Set.of(), null, null,
                    null, false, first.records().get(2).cursor()), 100));
            assertThat(rest.records()).extracting(StoredRecord::seq).containsExactly(4L, 5L);
            assertThat(rest.more()).isFalse();
        }
    }

    @Test
    void insertReportsWhichRecordsWereNew() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            long sk = newSession(store, "dup").sk();
            RecordRow a = new RecordRow(sk, Source.APP, 1, RecordKind.END, T0, null, null, null, "{}");
            RecordRow b = new RecordRow(sk, Source.DAEMON, 1, RecordKind.CRASH, T0, null, null, null, "{}");
            boolean[] first = store.write(tx -> tx.insertRecords(List.of(a, b, a)));
            assertThat(first).containsExactly(true, true, false);
            boolean[] again = store.write(tx -> tx.insertRecords(List.of(b)));
            assertThat(again).containsExactly(false);
        }
    }

    @Test
    void duplicatesAreFoundAmongManyRowsInAnyOrderAndTheRestAreAllStored() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            long sk = newSession(store, "many").sk();
            List<RecordRow> stored = new ArrayList<>();
            for (long seq = 100; seq < 400; seq += 2) {
                stored.add(event(sk, seq));
            }
            store.write(tx -> tx.insertRecords(stored));

            // 1..500 backwards (not ascending), interleaved with another space, one seq twice.
            List<RecordRow> rows = new ArrayList<>();
            List<Boolean> expected = new ArrayList<>();
            for (long seq = 500; seq >= 1; seq--) {
                rows.add(event(sk, seq));
                expected.add(seq < 100 || seq >= 400 || seq % 2 == 1);
                rows.add(new RecordRow(sk, Source.DAEMON, seq, RecordKind.HANG, T0 + seq, null, null, null, "{}"));
                expected.add(true);
            }
            rows.add(event(sk, 7));
            expected.add(false);

            boolean[] inserted = store.write(tx -> tx.insertRecords(rows));

            List<Boolean> actual = new ArrayList<>();
            for (boolean b : inserted) {
                actual.add(b);
            }
            assertThat(actual).isEqualTo(expected);
            assertThat(store.read(ReadTransaction::countRecords)).isEqualTo(500 + 500);
            assertThat(lastSeq(store, sk, Source.APP)).isEqualTo(500);
            assertThat(seqRanges(sk)).as("the holes filled, each space is one range again")
                    .containsExactly("0:1-500", "1:1-500");
        }
    }

    @Test
    void anIdentityIsStoredOnceWhateverTimeItArrivesWith() {
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            long sk = newSession(store, "retimed").sk();
            store.write(tx -> tx.insertRecords(List.of(event(sk, 1), event(sk, 2), event(sk, 5))));
            assertThat(seqRanges(sk)).containsExactly("0:1-2", "0:5-5");

            RecordRow sameIdLaterTime = new RecordRow(sk, Source.APP, 2, RecordKind.METRIC, T0 + 999, "m", null, 1.0,
                    "{}");
            boolean[] inserted = store.write(tx -> tx.insertRecords(List.of(sameIdLaterTime, event(sk, 3),
                    event(sk, 4), event(sk, 7))));
            assertThat(inserted).containsExactly(false, true, true, true);
            assertThat(seqRanges(sk)).containsExactly("0:1-5", "0:7-7");
            assertThat(lastSeq(store, sk, Source.APP)).isEqualTo(7);
            assertThat(lastSeq(store, sk, Source.API)).isZero();
            assertThat(store.read(ReadTransaction::countRecords)).isEqualTo(6);
        }
    }

    private static long lastSeq(Store store, long sk, Source src) {
        return store.write(tx -> tx.lastSeq(sk, src));
    }

    /** The stored seq ranges of a session as "src:lo-hi", in key order. */
    private List<String> seqRanges(long sk) {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT src, lo, hi FROM seq_ranges WHERE sk = " + sk
                     + " ORDER BY src, lo")) {
            while (rs.next()) {
                out.add(rs.getInt(1) + ":" + rs.getLong(2) + "-" + rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    private static RecordRow event(long sk, long seq) {
        return new RecordRow(sk, Source.APP, seq, RecordKind.EVENT, T0 + seq, "e", "info", null, "{\"seq\":" + seq + "}");
    }

    @Test
    void aDatabaseOfSchemaVersion2UpgradesAndKeepsItsEventNamesFilterable() throws Exception {
        Path db = dir.resolve(SqliteStore.FILE_NAME);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            SqliteSchema.migrate(c, db.toString(), 2);
            st.executeUpdate("INSERT INTO sessions (sk, id, product, version, created_at, last_seen, status) VALUES "
                    + "(1, 'old-boss', 'P', '1', 1, 1, 'active'), (2, 'old-quiet', 'P', '1', 2, 2, 'active')");
            st.executeUpdate("INSERT INTO records (sk, src, seq, kind, stream, ts, name, level, value, body) VALUES "
                    + "(1, 0, 1, 'event', 1, 1, 'boss', 'info', NULL, '{}'), "
                    + "(1, 0, 2, 'exception', 1, 2, 'boom', 'error', NULL, '{}'), "
                    + "(1, 0, 3, 'metric', 2, 3, 'fps', NULL, 60, '{}'), "
                    + "(2, 0, 1, 'metric', 2, 1, 'boss', NULL, 1, '{}')");
        }
        assertThat(userVersion(db)).isEqualTo(2);

        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            assertThat(sessionsWithEvent(store, "boss")).containsExactly("old-boss");
            assertThat(sessionsWithEvent(store, "boom")).containsExactly("old-boss");
            assertThat(sessionsWithEvent(store, "fps")).as("metric names are not event names").isEmpty();

            SessionRow later = newSession(store, "later");
            store.write(tx -> {
                tx.insertEventNames(later.sk(), List.of("boss"));
                return null;
            });
            assertThat(sessionsWithEvent(store, "boss")).containsExactly("later", "old-boss");
        }
        assertThat(userVersion(db)).isEqualTo(SqliteSchema.VERSION);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'records_events_by_name'")) {
            assertThat(rs.getInt(1)).as("the per-event index is gone").isZero();
        }
    }

    @Test
    void aDatabaseOfSchemaVersion3UpgradesWithItsRecordsAndTheirIdentities() throws Exception {
        Path db = dir.resolve(SqliteStore.FILE_NAME);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            SqliteSchema.migrate(c, db.toString(), 3);
            st.executeUpdate("INSERT INTO sessions (sk, id, product, version, created_at, last_seen, status) VALUES "
                    + "(1, 'old', 'P', '1', 1, 1, 'active')");
            st.executeUpdate("INSERT INTO records (sk, src, seq, kind, stream, ts, name, level, value, body) VALUES "
                    + "(1, 0, 1, 'event', 1, 10, 'a', 'info', NULL, '{}'), "
                    + "(1, 0, 2, 'event', 1, 20, 'b', 'error', NULL, '{}'), "
                    + "(1, 0, 3, 'metric', 2, 30, 'fps', NULL, 60, '{}'), "
                    + "(1, 0, 6, 'event', 1, 60, 'c', 'info', NULL, '{}'), "
                    + "(1, 2, 1, 'event', 1, 15, 'api', 'info', NULL, '{}')");
        }

        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            assertThat(store.read(ReadTransaction::countRecords)).isEqualTo(5);
            assertThat(seqRanges(1)).containsExactly("0:1-3", "0:6-6", "2:1-1");
            boolean[] inserted = store.write(tx -> tx.insertRecords(List.of(event(1, 3), event(1, 4), event(1, 6))));
            assertThat(inserted).as("what was stored before the upgrade is still a duplicate")
                    .containsExactly(false, true, false);
            assertThat(lastSeq(store, 1, Source.API)).isEqualTo(1);
            RecordFilter notable = new RecordFilter(Set.of(), Set.of(), null, null, null, true, null);
            assertThat(store.read(tx -> tx.records(1, notable, 10)).records())
                    .extracting(StoredRecord::seq).containsExactly(2L);
        }
        assertThat(userVersion(db)).isEqualTo(SqliteSchema.VERSION);
    }

    private static List<String> sessionsWithEvent(Store store, String name) {
        SessionFilter f = new SessionFilter(null, null, null, false, false, null, null, name, null, false, null);
        return store.read(tx -> tx.listSessions(f, 10)).stream().map(SessionRow::id).toList();
    }

    @Test
    void theLogIsCopiedIntoTheDatabaseFileWithoutTheWriterCheckpointing() throws Exception {
        Path db = dir.resolve(SqliteStore.FILE_NAME);
        try (SqliteStore store = SqliteStore.open(dir, SqliteSync.NORMAL)) {
            long sk = newSession(store, "logged").sk();
            long before = Files.size(db);
            List<RecordRow> rows = new ArrayList<>();
            for (long seq = 1; seq <= 2_000; seq++) {
                rows.add(event(sk, seq));
            }
            store.write(tx -> tx.insertRecords(rows)); // far fewer log pages than the writer's own threshold

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(db) > before);
            assertThat(store.read(ReadTransaction::countRecords)).isEqualTo(2_000);
        }
    }
}

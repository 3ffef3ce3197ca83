package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Batch;
import io.datacat.protocol.CrashReason;
import io.datacat.protocol.Json;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Source;
import io.datacat.server.store.ProductVersionCounts;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.RecordCounts;
import io.datacat.server.store.RecordFilter;
import io.datacat.server.store.RecordPage;
import io.datacat.server.store.SessionFilter;
import io.datacat.server.store.RecordRow;
import io.datacat.server.store.RecordStream;
import io.datacat.server.store.StoreChange;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.SessionStatus;
import io.datacat.server.store.StateKey;
import io.datacat.server.store.StateSnapshot;
import io.datacat.server.store.StateValue;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoredRecord;
import io.datacat.server.store.TimeRange;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.datacat.server.testing.ForwardingStore;
import io.datacat.server.testing.TestStores;

import static io.datacat.server.testing.TestRecords.T0;
import static io.datacat.server.testing.TestRecords.batch;
import static io.datacat.server.testing.TestRecords.crash;
import static io.datacat.server.testing.TestRecords.daemon;
import static io.datacat.server.testing.TestRecords.end;
import static io.datacat.server.testing.TestRecords.event;
import static io.datacat.server.testing.TestRecords.metric;
import static io.datacat.server.testing.TestRecords.record;
import static io.datacat.server.testing.TestRecords.start;
import static io.datacat.server.testing.TestRecords.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ParameterizedClass
@EnumSource(TestStores.Kind.class)
class IngestorTest {
    private static final String S1 = "session-1";
    private static final String S2 = "session-2";

    @Parameter
    TestStores.Kind kind;
    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong(T0 + 1_000_000_000L);
    private TestStores.Location location;
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

    private long records() {
        return store.read(ReadTransaction::countRecords);
    }

    private long sessions() {
        return store.read(ReadTransaction::countSessions);
    }

    private ObjectNode currentState(String id) {
        return (ObjectNode) Json.parse(session(id).state().getBytes());
    }

    @Test
    void theSameBatchTwiceIsStoredOnce() {
        Batch b = batch(start(S1, 1, "Game", "1.0"), event(S1, 2, "boot", "info"), metric(S1, 3, "fps", 60));

        assertThat(ingestor.ingest(b)).isEqualTo(new IngestResult(3, 0));
        assertThat(ingestor.ingest(b)).isEqualTo(new IngestResult(0, 3));

        assertThat(records()).isEqualTo(3);
        assertThat(session(S1).counts()).isEqualTo(new RecordCounts(3, 1, 0, 1, 0));
    }

    @Test
    void theSameBatchAfterReopeningTheStoreIsStoredOnce() {
        Batch b = batch(start(S1, 1, "Game", "1.0"), state(S1, 2, "{\"hp\": 1}"), crash(S1, 3, "killed"));
        ingestor.ingest(b);
        store.close();

        store = location.open();
        ingestor = new Ingestor(store, now::get);
        assertThat(ingestor.ingest(b)).isEqualTo(new IngestResult(0, 3));

        assertThat(records()).isEqualTo(3);
        SessionRow row = session(S1);
        assertThat(row.counts().records()).isEqualTo(3);
        assertThat(row.status()).isEqualTo(SessionStatus.CRASHED);
        assertThat(currentState(S1)).isEqualTo(Json.parseObject("{\"hp\":1}".getBytes()));
    }

    @Test
    void aRecordRepeatedInsideOneBatchIsADuplicate() {
        ObjectNode e = event(S1, 2, "boot", "info");
        assertThat(ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), e, e))).isEqualTo(new IngestResult(2, 1));
        assertThat(session(S1).counts().events()).isEqualTo(1);
    }

    @Test
    void theSameSeqInAnotherSourceIsAnotherRecord() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), daemon(crash(S1, 1, CrashReason.KILLED))));
        assertThat(records()).isEqualTo(2);
    }

    @Test
    void statePatchesAreDeepMergedInSeqOrder() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"),
                // inside one batch, out of order: seq 3 must win over seq 2
                state(S1, 3, "{\"player\": {\"hp\": 7}, \"level\": 2}"),
                state(S1, 2, "{\"player\": {\"hp\": 10, \"name\": \"ann\"}, \"level\": 1, \"tmp\": [1, 2]}")));
        ingestor.ingest(batch(state(S1, 4, "{\"tmp\": null, \"player\": {\"inventory\": [\"sword\"]}}")));

        assertThat(currentState(S1)).isEqualTo(Json.parseObject(
                "{\"player\": {\"hp\": 7, \"name\": \"ann\", \"inventory\": [\"sword\"]}, \"level\": 2}".getBytes()));
        assertThat(session(S1).stateKey()).isEqualTo(new StateKey(Source.APP, 4));
    }

    @Test
    void aPatchArrivingAfterALaterOneIsReplayedInOrder() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), state(S1, 2, "{\"a\": 1}"),
                state(S1, 4, "{\"a\": 3, \"b\": null}")));
        // seq 3 arrives late (e.g. from a second daemon's spool): it sets b and a, but seq 4
        // comes after it, so a stays 3 and b is deleted again.
        ingestor.ingest(batch(state(S1, 3, "{\"a\": 2, \"b\": 2, \"c\": 2}")));

        assertThat(currentState(S1)).isEqualTo(Json.parseObject("{\"a\": 3, \"c\": 2}".getBytes()));
        assertThat(session(S1).stateKey()).isEqualTo(new StateKey(Source.APP, 4));
        assertThat(session(S1).counts().states()).isEqualTo(3);
    }

    @Test
    void recordsOfAnUnknownSessionMakeAPlaceholderThatSessionStartFills() {
        assertThat(ingestor.ingest(batch(event(S1, 2, "boot", "info")))).isEqualTo(new IngestResult(1, 0));

        SessionRow placeholder = session(S1);
        assertThat(placeholder.placeholder()).isTrue();
        assertThat(placeholder.product()).isEqualTo(SessionRow.UNKNOWN);
        assertThat(placeholder.version()).isEqualTo(SessionRow.UNKNOWN);
        assertThat(placeholder.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(placeholder.createdAt()).isEqualTo(T0 + 2);

        ingestor.ingest(batch(start(S1, 1, "Game", "2.1")));

        SessionRow started = session(S1);
        assertThat(started.placeholder()).isFalse();
        assertThat(started.product()).isEqualTo("Game");
        assertThat(started.version()).isEqualTo("2.1");
        assertThat(started.hostname()).isEqualTo("host-1");
        assertThat(started.machineId()).isEqualTo("machine-1");
        assertThat(started.pid()).isEqualTo(4242L);
        assertThat(started.client()).isEqualTo("java/0.1.0");
        assertThat(started.createdAt()).isEqualTo(T0 + 1);
        assertThat(started.counts().records()).isEqualTo(2);
        assertThat(sessions()).isEqualTo(1);
    }

    @Test
    void endEndsASessionAtTheRecordTime() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), end(S1, 5)));
        SessionRow row = session(S1);
        assertThat(row.status()).isEqualTo(SessionStatus.ENDED);
        assertThat(row.endedAt()).isEqualTo(T0 + 5);
    }

    @Test
    void crashKeepsReasonAndDetail() {
        ObjectNode c = crash(S1, 2, CrashReason.UNCAUGHT_EXCEPTION).put("message", "boom");
        c.putObject("detail").put("exception_type", "java.lang.IllegalStateException");
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), c));

        SessionRow row = session(S1);
        assertThat(row.status()).isEqualTo(SessionStatus.CRASHED);
        assertThat(row.crashReason()).isEqualTo(CrashReason.UNCAUGHT_EXCEPTION);
        assertThat(Json.parseObject(row.crashDetail().getBytes())).isEqualTo(Json.parseObject(
                "{\"message\": \"boom\", \"exception_type\": \"java.lang.IllegalStateException\"}".getBytes()));
        assertThat(row.endedAt()).isEqualTo(T0 + 2);
    }

    @Test
    void endedAndCrashedAreFinal() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), end(S1, 2)));
        ingestor.ingest(batch(daemon(crash(S1, 99, CrashReason.KILLED)), end(S1, 3)));
        assertThat(session(S1).status()).isEqualTo(SessionStatus.ENDED);
        assertThat(session(S1).endedAt()).isEqualTo(T0 + 2);
        assertThat(session(S1).crashReason()).isNull();

        ingestor.ingest(batch(start(S2, 1, "Game", "1.0"), crash(S2, 2, CrashReason.EXIT_WITHOUT_END)));
        ingestor.ingest(batch(end(S2, 3)));
        assertThat(session(S2).status()).isEqualTo(SessionStatus.CRASHED);
        assertThat(session(S2).crashReason()).isEqualTo(CrashReason.EXIT_WITHOUT_END);
    }

    @Test
    void abnormalGivesWayToALaterEndOrCrash() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0")));
        ingestor.ingest(batch(start(S2, 1, "Game", "1.0")));
        markAllAbnormal();

        ingestor.ingest(batch(end(S1, 2)));
        ingestor.ingest(batch(daemon(crash(S2, 5, CrashReason.KILLED))));

        assertThat(session(S1).status()).isEqualTo(SessionStatus.ENDED);
        assertThat(session(S1).endedAt()).isEqualTo(T0 + 2);
        assertThat(session(S2).status()).isEqualTo(SessionStatus.CRASHED);
    }

    @Test
    void anAbnormalSessionThatIsHeardFromAgainIsActive() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0")));
        markAllAbnormal();
        assertThat(session(S1).endedAt()).isNotNull();

        now.addAndGet(5_000_000);
        ingestor.ingest(batch(Map.of(S1, new long[]{0, 0, 0})));

        SessionRow row = session(S1);
        assertThat(row.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(row.endedAt()).isNull();
        assertThat(row.lastSeen()).isEqualTo(now.get());
    }

    private void markAllAbnormal() {
        now.addAndGet(1_000_000);
        List<SessionRow> marked = store.write(tx -> tx.markSilentSessionsAbnormal(now.get()));
        assertThat(marked).isNotEmpty();
        assertThat(session(S1).status()).isEqualTo(SessionStatus.ABNORMAL);
    }

    @Test
    void hangSetsTheFlagAndRecoveredClearsIt() {
        ObjectNode hang = daemon(record(S1, 10, "hang")).put("thread", "main").put("detected_by", "daemon");
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), hang));
        assertThat(session(S1).hung()).isTrue();
        assertThat(session(S1).hangCount()).isEqualTo(1);

        ingestor.ingest(batch(daemon(record(S1, 11, "recovered"))));
        assertThat(session(S1).hung()).isFalse();

        ingestor.ingest(batch(event(S1, 2, "application_appears_hung", "warning")));
        assertThat(session(S1).hung()).isTrue();
        assertThat(session(S1).hangCount()).isEqualTo(2);
        ingestor.ingest(batch(event(S1, 3, "application_recovered", "info")));
        assertThat(session(S1).hung()).isFalse();
    }

    @Test
    void aCleanEndClearsHungButAStaleHangAfterTheEndChangesNothing() {
        ObjectNode hang = daemon(record(S1, 10, "hang"));
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0"), hang, end(S1, 2)));
        assertThat(session(S1).hung()).isFalse();
        assertThat(session(S1).hangCount()).isEqualTo(1);

        ingestor.ingest(batch(daemon(record(S1, 11, "hang"))));
        assertThat(session(S1).hung()).isFalse();
        assertThat(session(S1).hangCount()).isEqualTo(1);
    }

    @Test
    void countersAreKeptAsMaxima() {
        ingestor.ingest(batch(Map.of(S1, new long[]{5, 2, T0 + 100}), start(S1, 1, "Game", "1.0")));
        ingestor.ingest(batch(Map.of(S1, new long[]{3, 7, T0 + 50})));

        SessionRow row = session(S1);
        assertThat(row.counters().clientDropped()).isEqualTo(5);
        assertThat(row.counters().spoolEvicted()).isEqualTo(7);
        assertThat(row.counters().lastHeartbeat()).isEqualTo(T0 + 100);
    }

    @Test
    void everySessionOfABatchIsSeenNowAndCountersAloneDoNotCreateSessions() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0")));
        long first = session(S1).lastSeen();
        now.addAndGet(1_000_000);

        ingestor.ingest(batch(Map.of(S1, new long[]{0, 0, 0}, "never-started", new long[]{1, 1, 1})));

        assertThat(session(S1).lastSeen()).isEqualTo(first + 1_000_000);
        Optional<SessionRow> neverStarted = store.read(tx -> tx.session("never-started"));
        assertThat(neverStarted).isEmpty();
    }

    @Test
    void aBatchThatFailsHalfWayLeavesNothingBehind() {
        ingestor.ingest(batch(start(S1, 1, "Game", "1.0")));
        SessionRow before = session(S1);
        Ingestor failing = new Ingestor(new FailingUpdateStore(store), now::get);

        Batch b = batch(event(S1, 2, "boot", "info"), state(S1, 3, "{\"a\": 1}"), start(S2, 1, "Other", "1.0"),
                end(S1, 4));
        assertThatThrownBy(() -> failing.ingest(b)).hasMessageContaining("disk on fire");

        assertThat(records()).isEqualTo(1);
        assertThat(sessions()).isEqualTo(1);
        assertThat(session(S1)).isEqualTo(before);
        // and the same batch goes through whole once the store works again
        assertThat(ingestor.ingest(b)).isEqualTo(new IngestResult(4, 0));
        assertThat(session(S1).status()).isEqualTo(SessionStatus.ENDED);
    }

    @Test
    void apiRecordsTakeTheNextSeqOfTheApiSpace() {
        String sid = ingestor.createSession(Json.mapper().createObjectNode().put("product", "P").put("version", "1"));
        ingestor.append(sid, new ApiRecord(RecordKind.EVENT, null,
                Json.mapper().createObjectNode().put("name", "a")));
        ingestor.append(sid, new ApiRecord(RecordKind.EVENT, T0, Json.mapper().createObjectNode().put("name", "b")));

        List<StoredRecord> stored = store.read(tx -> tx.records(session(sid).sk(),
                RecordFilter.of(Set.of()), 10)).records();
        assertThat(stored).extracting(StoredRecord::src).containsOnly(Source.API);
        assertThat(stored).extracting(StoredRecord::seq).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(stored.get(0).ts()).isEqualTo(T0); // "b" carries its own time
    }

    @Test
    void concurrentApiRecordsNeverShareASeq() throws Exception {
        String sid = ingestor.createSession(Json.mapper().createObjectNode().put("product", "P").put("version", "1"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String name = "e" + i;
                done.add(pool.submit(() -> ingestor.append(sid, new ApiRecord(RecordKind.EVENT, null,
                        Json.mapper().createObjectNode().put("name", name)))));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(session(sid).counts().events()).isEqualTo(200);
        assertThat(records()).isEqualTo(201);
    }

    @Test
    void apiRecordsForAnUnknownSessionAreRefused() {
        assertThatThrownBy(() -> ingestor.append("nobody", new ApiRecord(RecordKind.END, null,
                Json.mapper().createObjectNode()))).isInstanceOf(SessionNotFoundException.class);
        assertThatThrownBy(() -> ingestor.heartbeat("nobody")).isInstanceOf(SessionNotFoundException.class);
        assertThat(sessions()).isZero();
        assertThat(records()).isZero();
    }

    @Test
    void aHeartbeatSetsLastHeartbeatToTheServerTime() {
        String sid = ingestor.createSession(Json.mapper().createObjectNode().put("product", "P").put("version", "1"));
        now.addAndGet(3_000_000);
        ingestor.heartbeat(sid);
        assertThat(session(sid).counters().lastHeartbeat()).isEqualTo(now.get());
        assertThat(session(sid).lastSeen()).isEqualTo(now.get());
    }

    /** A store whose session updates fail, after the records of the batch were inserted. */
    private static final class FailingUpdateStore extends ForwardingStore {
        FailingUpdateStore(Store delegate) {
            super(delegate);
        }

        @Override
        public <T> T write(Work<T, WriteTransaction> work) {
            return super.write(tx -> work.run(new FailingUpdates(tx)));
        }
    }

    private record FailingUpdates(WriteTransaction tx) implements WriteTransaction {
        @Override
        public void updateSession(SessionRow row) {
            throw new IllegalStateException("disk on fire");
        }

        @Override
        public SessionRow insertSession(SessionRow row) {
            return tx.insertSession(row);
        }

        @Override
        public boolean[] insertRecords(List<RecordRow> rows) {
            return tx.insertRecords(rows);
        }

        @Override
        public long lastSeq(long sk, Source src) {
            return tx.lastSeq(sk, src);
        }

        @Override
        public List<SessionRow> markSilentSessionsAbnormal(long lastSeenBefore) {
            return tx.markSilentSessionsAbnormal(lastSeenBefore);
        }

        @Override
        public int deleteRecords(long sk, int limit) {
            return tx.deleteRecords(sk, limit);
        }

        @Override
        public void deleteSession(long sk) {
            tx.deleteSession(sk);
        }

        @Override
        public List<SessionRow> expiredSessions(long lastSeenBefore, int limit) {
            return tx.expiredSessions(lastSeenBefore, limit);
        }

        @Override
        public boolean isExpired(long sk, long lastSeenBefore) {
            return tx.isExpired(sk, lastSeenBefore);
        }

        @Override
        public Optional<SessionRow> session(String id) {
            return tx.session(id);
        }

        @Override
        public Map<String, SessionRow> sessions(Collection<String> ids) {
            return tx.sessions(ids);
        }

        @Override
        public List<SessionRow> listSessions(SessionFilter filter, int limit) {
            return tx.listSessions(filter, limit);
        }

        @Override
        public RecordPage records(long sk, RecordFilter filter, int limit) {
            return tx.records(sk, filter, limit);
        }

        @Override
        public RecordPage latestRecords(long sk, RecordFilter filter, int limit) {
            return tx.latestRecords(sk, filter, limit);
        }

        @Override
        public void forEachStatePatch(long sk, StateKey after, StateKey upTo, Predicate<StoredRecord> visitor) {
            tx.forEachStatePatch(sk, after, upTo, visitor);
        }

        @Override
        public long forEachRecord(long sk, RecordFilter filter, long limit, Predicate<StoredRecord> visitor) {
            return tx.forEachRecord(sk, filter, limit, visitor);
        }

        @Override
        public List<StoredRecord> recordsBetween(long sk, StoreChange change, int limit) {
            return tx.recordsBetween(sk, change, limit);
        }

        @Override
        public Optional<TimeRange> timeRange(long sk, RecordStream stream) {
            return tx.timeRange(sk, stream);
        }

        @Override
        public Optional<StateSnapshot> snapshotBefore(long sk, StateKey key, boolean inclusive) {
            return tx.snapshotBefore(sk, key, inclusive);
        }

        @Override
        public Optional<StateKey> lastPatchAtOrBefore(long sk, long ts) {
            return tx.lastPatchAtOrBefore(sk, ts);
        }

        @Override
        public OptionalDouble lastCumulativeBefore(long sk, String name, List<String> tags, long beforeTs) {
            return tx.lastCumulativeBefore(sk, name, tags, beforeTs);
        }

        @Override
        public List<ProductVersionCounts> productVersions(int limit) {
            return tx.productVersions(limit);
        }

        @Override
        public boolean mentions(long sk, String text) {
            return tx.mentions(sk, text);
        }

        @Override
        public void insertEventNames(long sk, Collection<String> names) {
            tx.insertEventNames(sk, names);
        }

        @Override
        public void insertStateValues(long sk, Collection<StateValue> values) {
            tx.insertStateValues(sk, values);
        }

        @Override
        public void insertSnapshot(long sk, StateKey key, String state) {
            tx.insertSnapshot(sk, key, state);
        }

        @Override
        public void deleteSnapshots(long sk) {
            tx.deleteSnapshots(sk);
        }

        @Override
        public long countSessions() {
            return tx.countSessions();
        }

        @Override
        public long countRecords() {
            return tx.countRecords();
        }
    }
}

package io.datacat.server.store;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Source;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same promise as {@link SqliteQueryPlanTest}, on PostgreSQL: each list and page query
 * can walk an index in the order it returns rows and stop at the limit, with no sort and no
 * table scan. The tables are empty, so the planner is told to avoid scans and sorts wherever
 * an index allows it; a query no index can serve in order still shows one, and fails here.
 */
class PostgresQueryPlanTest {
    private static final SessionCursor AFTER = new SessionCursor(1_764_294_000_000_000L, "some-id");
    private static final SqlDialect PG = SqlDialect.POSTGRES;

    @TempDir
    Path dir;
    private Connection conn;

    @BeforeEach
    void open() throws SQLException {
        TestStores.Location db = TestStores.location(TestStores.Kind.POSTGRES, dir);
        db.open().close();
        conn = db.connect();
        try (Statement st = conn.createStatement()) {
            st.execute("SET enable_seqscan = off");
            st.execute("SET enable_sort = off");
        }
    }

    @AfterEach
    void close() throws SQLException {
        conn.close();
    }

    private String plan(SqlReads.Query q) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = conn.prepareStatement("EXPLAIN " + q.sql())) {
            for (int i = 0; i < q.args().size(); i++) {
                ps.setObject(i + 1, q.args().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    private void assertIndexedWithoutSort(SqlReads.Query q, String index) throws SQLException {
        String plan = plan(q);
        assertThat(plan).as(q.sql()).doesNotContain("Sort").doesNotContain("Seq Scan")
                .containsPattern("Index (Only )?Scan (Backward )?using " + index + " ");
    }

    private static SessionFilter filter(String product, String version, SessionStatus status, boolean hung,
                                        Long from, String event) {
        return new SessionFilter(product, version, status, hung, false, from, null, event, null, false, AFTER);
    }

    @Test
    void everySessionsListFilterUsesAnIndexInListOrder() throws SQLException {
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(PG, SessionFilter.ALL, 51), "sessions_by_created");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(PG, filter("P", null, null, false, null, null), 51),
                "sessions_by_product");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(PG, filter("P", "1", null, false, null, null), 51),
                "sessions_by_product_version");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(PG,
                filter(null, null, SessionStatus.CRASHED, false, 5L, null), 51), "sessions_by_status");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(PG, filter(null, null, null, true, null, null), 51),
                "sessions_hung");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(PG,
                new SessionFilter(null, null, null, false, true, null, null, null, null, false, AFTER), 51),
                "sessions_hung_ever");

        SqlReads.Query byEvent = SqlReads.listSessionsQuery(PG, filter(null, null, null, false, null, "boss"), 51);
        assertIndexedWithoutSort(byEvent, "sessions_by_created");
        assertThat(plan(byEvent)).contains("session_event_names_pkey");
    }

    @Test
    void theStateFilterProbesStateValuesWhileWalkingTheListInOrder() throws SQLException {
        for (boolean ever : new boolean[] {true, false}) {
            SessionFilter f = new SessionFilter("P", null, null, false, false, null, null, null,
                    new StateMatch("player.level", "3", ever), false, AFTER);
            SqlReads.Query q = SqlReads.listSessionsQuery(PG, f, 51);
            assertIndexedWithoutSort(q, "sessions_by_product");
            assertThat(plan(q)).contains("state_values_pkey");
        }
    }

    @Test
    void recordPagesWalkThePrimaryKeyOrTheNotableIndexInTimeOrder() throws SQLException {
        RecordCursor after = new RecordCursor(5, Source.APP, 7);
        for (Set<RecordKind> kinds : List.of(Set.of(RecordKind.EVENT, RecordKind.EXCEPTION), Set.of(RecordKind.EVENT),
                Set.of(RecordKind.METRIC), Set.of(RecordKind.STATE))) {
            // An error-level filter of events may also take records_notable, which holds them in time order.
            RecordFilter f = new RecordFilter(kinds, Set.of("error"), "name", 1L, 9L, false, after);
            assertIndexedWithoutSort(SqlReads.recordPageQuery(PG, 1, f, after, false, 101), "records_(pkey|notable)");
            assertIndexedWithoutSort(SqlReads.recordPageQuery(PG, 1, f, null, true, 1001), "records_(pkey|notable)");
            RecordFilter all = new RecordFilter(kinds, Set.of(), null, 1L, 9L, false, after);
            assertIndexedWithoutSort(SqlReads.recordPageQuery(PG, 1, all, after, false, 101), "records_pkey");
        }
        RecordFilter notable = new RecordFilter(Set.of(RecordKind.EVENT, RecordKind.EXCEPTION), Set.of("error"), null,
                1L, 9L, true, null);
        assertIndexedWithoutSort(SqlReads.recordPageQuery(PG, 1, notable, after, false, 101), "records_notable");
        assertIndexedWithoutSort(SqlReads.recordPageQuery(PG, 1, notable, null, true, 1001), "records_notable");
    }

    @Test
    void retentionAndTheRunningTotalsUseIndexesOnly() throws SQLException {
        assertIndexedWithoutSort(new SqlReads.Query(SqlReads.EXPIRED_SESSIONS, List.of(5L, 100)),
                "sessions_expiring");
        assertIndexedWithoutSort(new SqlReads.Query(PG.lastCumulativeSql(), List.of(1L, 5L, "shots",
                "[\"weapon:a\"]")), "records_pkey");
        // What another server stored, for this server's live pages: a time range in each stream.
        assertThat(plan(new SqlReads.Query(SqlReads.RECORDS_BETWEEN, List.of(1L, 5L, 9L, 0, 1L, 7L, 501))))
                .contains("records_pkey").doesNotContain("Seq Scan");
        List<String> deletions = new ArrayList<>(SqlWrites.DELETE_SESSION);
        deletions.add(SqlWrites.DELETE_RECORDS);
        deletions.add(SqlReads.IS_EXPIRED);
        for (String sql : deletions) {
            int params = (int) sql.chars().filter(c -> c == '?').count();
            List<Object> args = new ArrayList<>();
            for (int i = 0; i < params; i++) {
                args.add(1L);
            }
            assertThat(plan(new SqlReads.Query(sql, args))).as(sql).doesNotContain("Seq Scan");
        }
    }
}

package io.datacat.server.store;

import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The list and page queries walk an index in the order they return rows and stop at the
 * limit, so their cost does not grow with the number of sessions or records. A plan with a
 * temporary sort (or a full scan) would, and fails here.
 */
class SqliteQueryPlanTest {
    private static final SessionCursor AFTER = new SessionCursor(1_764_294_000_000_000L, "some-id");

    @TempDir
    Path dir;
    private Connection conn;

    @BeforeEach
    void open() throws SQLException {
        SqliteStore.open(dir, SqliteSync.NORMAL).close();
        conn = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME));
    }

    @AfterEach
    void close() throws SQLException {
        conn.close();
    }

    private List<String> plan(SqlReads.Query q) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("EXPLAIN QUERY PLAN " + q.sql())) {
            for (int i = 0; i < q.args().size(); i++) {
                ps.setObject(i + 1, q.args().get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.add(rs.getString("detail"));
                }
            }
        }
        return steps;
    }

    private void assertIndexedWithoutSort(SqlReads.Query q, String index) throws SQLException {
        List<String> steps = plan(q);
        assertThat(steps).as(q.sql()).noneMatch(s -> s.contains("TEMP B-TREE"));
        assertThat(steps.get(0)).as(q.sql()).contains("USING INDEX " + index);
    }

    private void assertPrimaryKeyWithoutSort(SqlReads.Query q) throws SQLException {
        List<String> steps = plan(q);
        assertThat(steps).as(q.sql()).noneMatch(s -> s.contains("TEMP B-TREE"));
        assertThat(steps.get(0)).as(q.sql()).contains("USING PRIMARY KEY (sk=? AND stream=?");
    }

    private static SessionFilter filter(String product, String version, SessionStatus status, boolean hung,
                                        Long from, String event) {
        return new SessionFilter(product, version, status, hung, false, from, null, event, null, false, AFTER);
    }

    /** Retention reads the oldest expired sessions from their index, and deletes by index only. */
    @Test
    void retentionNeverScansATable() throws SQLException {
        assertIndexedWithoutSort(new SqlReads.Query(SqlReads.EXPIRED_SESSIONS, List.of(5L, 100)),
                "sessions_expiring");
        List<String> deletions = new ArrayList<>(SqlWrites.DELETE_SESSION);
        deletions.add(SqlWrites.DELETE_RECORDS);
        deletions.add(SqlReads.IS_EXPIRED);
        for (String sql : deletions) {
            List<String> steps = plan(new SqlReads.Query(sql, List.of()));
            assertThat(steps).as(sql).isNotEmpty()
                    .noneMatch(s -> s.startsWith("SCAN") && !s.equals("SCAN CONSTANT ROW"));
        }
    }

    @Test
    void everySessionsListFilterUsesAnIndexInListOrder() throws SQLException {
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, SessionFilter.ALL, 51), "sessions_by_created");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, filter(null, null, null, false, 5L, null), 51),
                "sessions_by_created");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, filter("P", null, null, false, null, null), 51),
                "sessions_by_product");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, filter("P", "1", null, false, null, null), 51),
                "sessions_by_product_version");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, 
                filter(null, null, SessionStatus.CRASHED, false, 5L, null), 51), "sessions_by_status");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, filter(null, null, null, true, null, null), 51),
                "sessions_hung");

        SqlReads.Query byEvent = SqlReads.listSessionsQuery(SqlDialect.SQLITE, filter(null, null, null, false, null, "boss"), 51);
        assertIndexedWithoutSort(byEvent, "sessions_by_created");
        // One probe on both columns: the primary key (name, sk), or the index on sk that
        // retention deletes by (its entries carry the key's columns too).
        assertThat(plan(byEvent)).anyMatch(s -> s.startsWith("SEARCH e EXISTS USING")
                && (s.endsWith("(name=? AND sk=?)") || s.endsWith("(sk=? AND name=?)")));
    }

    @Test
    void theStateFilterProbesStateValuesWhileWalkingTheListInOrder() throws SQLException {
        for (boolean ever : new boolean[] {true, false}) {
            SessionFilter f = new SessionFilter("P", null, null, false, false, null, null, null,
                    new StateMatch("player.level", "3", ever), false, AFTER);
            SqlReads.Query q = SqlReads.listSessionsQuery(SqlDialect.SQLITE, f, 51);
            assertIndexedWithoutSort(q, "sessions_by_product");
            assertThat(plan(q)).anyMatch(s -> s.startsWith("SEARCH v EXISTS USING")
                    && (s.endsWith("(path=? AND value=? AND sk=?)") || s.endsWith("(sk=? AND path=? AND value=?)")));
        }
    }

    @Test
    void hungAtSomePointAndOldestFirstUseIndexesToo() throws SQLException {
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, 
                new SessionFilter(null, null, null, false, true, null, null, null, null, false, AFTER), 51),
                "sessions_hung_ever");
        assertIndexedWithoutSort(SqlReads.listSessionsQuery(SqlDialect.SQLITE, 
                new SessionFilter("P", "1", null, false, false, null, null, null, null, true, AFTER), 51),
                "sessions_by_product_version");
    }

    @Test
    void theOverviewReadsOnlyItsCoveringIndex() throws SQLException {
        List<String> steps = plan(new SqlReads.Query(SqlDialect.SQLITE.productVersionsSql(), List.of(100)));
        assertThat(steps).noneMatch(s -> s.contains("TEMP B-TREE"));
        assertThat(steps.get(0)).contains("USING COVERING INDEX sessions_overview");
    }

    @Test
    void warningsAndWorseUseTheirOwnIndex() throws SQLException {
        RecordFilter f = new RecordFilter(Set.of(RecordKind.EVENT, RecordKind.EXCEPTION), Set.of("error"), null, 1L,
                9L, true, null);
        assertIndexedWithoutSort(SqlReads.recordPageQuery(SqlDialect.SQLITE, 1, f, new RecordCursor(5, Source.APP, 7), false, 101),
                "records_notable");
        // The session page's strip also reads the latest ones (timeline?latest=true).
        assertIndexedWithoutSort(SqlReads.recordPageQuery(SqlDialect.SQLITE, 1, f, null, true, 1001), "records_notable");
    }

    /**
     * A chart's range that starts mid-session reads back from its start, not from the session's,
     * in index order: the only sorts are of one record's tags, inside the subqueries.
     */
    @Test
    void theLastRunningTotalBeforeARangeWalksThePrimaryKeyBackwards() throws SQLException {
        List<String> topLevel = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("EXPLAIN QUERY PLAN " + SqlDialect.SQLITE.lastCumulativeSql())) {
            ps.setLong(1, 1);
            ps.setLong(2, 5);
            ps.setString(3, "shots");
            ps.setString(4, "[\"weapon:a\"]");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt("parent") == 0) {
                        topLevel.add(rs.getString("detail"));
                    }
                }
            }
        }
        assertThat(topLevel.get(0)).contains("USING PRIMARY KEY (sk=? AND stream=? AND ts<?)");
        assertThat(topLevel).noneMatch(s -> s.contains("TEMP B-TREE"));
    }

    @Test
    void eventsMetricsAndStatePagesWalkThePrimaryKeyInTimeOrder() throws SQLException {
        RecordCursor after = new RecordCursor(5, Source.APP, 7);
        for (Set<RecordKind> kinds : List.of(Set.of(RecordKind.EVENT, RecordKind.EXCEPTION), Set.of(RecordKind.EVENT),
                Set.of(RecordKind.METRIC), Set.of(RecordKind.STATE), Set.of(RecordKind.HANG, RecordKind.RECOVERED))) {
            RecordFilter f = new RecordFilter(kinds, Set.of("error"), "name", 1L, 9L, false, after);
            assertPrimaryKeyWithoutSort(SqlReads.recordPageQuery(SqlDialect.SQLITE, 1, f, after, false, 101));
            assertPrimaryKeyWithoutSort(SqlReads.recordPageQuery(SqlDialect.SQLITE, 1, f, null, true, 1001));
        }
    }
}

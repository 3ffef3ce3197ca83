package io.datacat.server.store;

import io.datacat.protocol.Json;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.Source;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The queries of {@link ReadTransaction} on one connection, in SQL that SQLite and PostgreSQL
 * both run; what they spell differently comes from the {@link SqlDialect}.
 */
class SqlReads implements ReadTransaction {

    /** Every column of {@code sessions} except {@code sk}, in the order {@link #bindSession} binds them. */
    static final String SESSION_DATA_COLUMNS = "id, product, version, hostname, machine_id, pid, client, created_at, "
            + "ended_at, last_seen, status, hung, hang_count, crash_reason, crash_detail, state, state_src, state_seq, "
            + "record_count, event_count, exception_count, metric_count, state_count, client_dropped, spool_evicted, "
            + "last_heartbeat, placeholder";
    static final int SESSION_DATA_COLUMN_COUNT = SESSION_DATA_COLUMNS.split(",").length;
    static final String SESSION_COLUMNS = "sk, " + SESSION_DATA_COLUMNS;
    private static final String RECORD_COLUMNS = "src, seq, kind, ts, body";

    /**
     * The events the {@code records_notable} index holds: exceptions and warnings or worse.
     * A query that wants that index repeats this text exactly, so the database can prove it
     * applies.
     */
    static final String NOTABLE_EVENTS =
            "stream = 1 AND (kind = 'exception' OR level IN ('warning', 'error', 'critical'))";

    /**
     * The sessions retention may delete: every one that has ended, however it ended. A query
     * that wants the {@code sessions_expiring} index repeats this text exactly.
     */
    static final String EXPIRING_SESSIONS = "status <> 'active'";

    protected final Connection conn;
    protected final SqlDialect dialect;

    SqlReads(Connection conn, SqlDialect dialect) {
        this.conn = conn;
        this.dialect = dialect;
    }

    /** A statement for {@code sql}; give it back with {@link #release}. */
    protected PreparedStatement statement(String sql) throws SQLException {
        return conn.prepareStatement(sql);
    }

    protected void release(PreparedStatement ps) throws SQLException {
        ps.close();
    }

    @Override
    public Optional<SessionRow> session(String id) {
        return Optional.ofNullable(sessions(List.of(id)).get(id));
    }

    @Override
    public Map<String, SessionRow> sessions(Collection<String> ids) {
        Map<String, SessionRow> found = new LinkedHashMap<>();
        query("SELECT " + SESSION_COLUMNS + " FROM sessions WHERE id = ?", ps -> {
            for (String id : ids) {
                ps.setString(1, dialect.text(id));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        found.put(id, readSession(rs));
                    }
                }
            }
            return null;
        });
        return found;
    }

    /** A statement and its arguments. */
    record Query(String sql, List<Object> args) {
    }

    @Override
    public List<SessionRow> listSessions(SessionFilter f, int limit) {
        Query q = listSessionsQuery(dialect, f, limit);
        return query(q.sql(), ps -> {
            bind(ps, q.args());
            return readSessions(ps);
        });
    }

    /**
     * Newest (or oldest) first; every filter combination is served by an index in that order,
     * and the event and state filters probe their own index per session (see the query plan test).
     */
    static Query listSessionsQuery(SqlDialect dialect, SessionFilter f, int limit) {
        StringBuilder sql = new StringBuilder("SELECT ").append(SESSION_COLUMNS).append(" FROM sessions s WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (f.product() != null) {
            sql.append(" AND product = ?");
            args.add(f.product());
        }
        if (f.version() != null) {
            sql.append(" AND version = ?");
            args.add(f.version());
        }
        if (f.status() != null) {
            sql.append(" AND status = ?");
            args.add(f.status().wire());
        }
        if (f.hungOnly()) {
            sql.append(" AND hung = 1"); // a literal, so the partial index sessions_hung applies
        }
        if (f.hungEver()) {
            sql.append(" AND hang_count > 0"); // likewise for sessions_hung_ever
        }
        if (f.createdFrom() != null) {
            sql.append(" AND created_at >= ?");
            args.add(f.createdFrom());
        }
        if (f.createdTo() != null) {
            sql.append(" AND created_at < ?");
            args.add(f.createdTo());
        }
        if (f.eventName() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM session_event_names e WHERE e.name = ? AND e.sk = s.sk)");
            args.add(f.eventName());
        }
        if (f.state() != null) {
            stateCondition(dialect, f.state(), sql, args);
        }
        if (f.after() != null) {
            sql.append(f.oldestFirst() ? " AND (created_at, id) > (?, ?)" : " AND (created_at, id) < (?, ?)");
            args.add(f.after().createdAt());
            args.add(f.after().id());
        }
        sql.append(f.oldestFirst() ? " ORDER BY created_at, id" : " ORDER BY created_at DESC, id DESC")
                .append(" LIMIT ?");
        args.add(limit);
        return new Query(sql.toString(), texts(dialect, args));
    }

    /**
     * Every value a key ever held is in {@code state_values}, the current one included, so
     * both forms probe it; "now" then also reads the key from the session's current state.
     */
    private static void stateCondition(SqlDialect dialect, StateMatch m, StringBuilder sql, List<Object> args) {
        Set<String> texts = new LinkedHashSet<>(List.of(m.value()));
        BigDecimal decimal = StateValues.number(m.value());
        if (decimal != null) {
            texts.add(StateValues.numberText(decimal));
        }
        sql.append(" AND EXISTS (SELECT 1 FROM state_values v WHERE v.path = ? AND v.value IN (")
                .append(placeholders(texts.size())).append(") AND v.sk = s.sk)");
        args.add(m.path());
        args.addAll(texts);
        if (m.ever()) {
            return;
        }
        dialect.stateNowCondition(m.segments(), m.value(), decimal, sql, args);
    }

    /** The arguments with each string as the database stores it. */
    private static List<Object> texts(SqlDialect dialect, List<Object> args) {
        args.replaceAll(a -> a instanceof String text ? dialect.text(text) : a);
        return args;
    }

    @Override
    public RecordPage records(long sk, RecordFilter filter, int limit) {
        return recordPage(sk, filter, filter.after(), false, limit);
    }

    @Override
    public RecordPage latestRecords(long sk, RecordFilter filter, int limit) {
        RecordPage newestFirst = recordPage(sk, filter, null, true, limit);
        List<StoredRecord> ordered = new ArrayList<>(newestFirst.records());
        Collections.reverse(ordered);
        return new RecordPage(ordered, newestFirst.more());
    }

    private RecordPage recordPage(long sk, RecordFilter f, RecordCursor after, boolean newestFirst, int limit) {
        Query q = recordPageQuery(dialect, sk, f, after, newestFirst, limit + 1);
        return query(q.sql(), ps -> {
            bind(ps, q.args());
            List<StoredRecord> rows = new ArrayList<>();
            long chars = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rows.size() == limit || chars > PAGE_BODY_BUDGET_CHARS) {
                        return new RecordPage(rows, true);
                    }
                    StoredRecord r = readRecord(rs);
                    rows.add(r);
                    chars += r.body().length();
                }
            }
            return new RecordPage(rows, false);
        });
    }

    /**
     * A session's records in (ts, src, seq) order. Kinds of one stream use the stream index;
     * kinds of several streams (or none given: the whole timeline) sort the session's records.
     */
    static Query recordPageQuery(SqlDialect dialect, long sk, RecordFilter f, RecordCursor after, boolean newestFirst,
                                 long limit) {
        StringBuilder sql = new StringBuilder("SELECT ").append(RECORD_COLUMNS).append(" FROM records");
        if (f.notable()) {
            sql.append(dialect.notableIndexHint()).append(" WHERE sk = ? AND ").append(NOTABLE_EVENTS);
        } else {
            sql.append(" WHERE sk = ?");
        }
        List<Object> args = new ArrayList<>();
        args.add(sk);
        if (!f.kinds().isEmpty()) {
            RecordStream stream = RecordStream.covering(f.kinds());
            if (stream != null) {
                sql.append(" AND stream = ?");
                args.add(stream.code());
            }
            if (stream == null || !f.kinds().containsAll(stream.kinds())) {
                sql.append(" AND kind IN (").append(placeholders(f.kinds().size())).append(')');
                f.kinds().forEach(k -> args.add(k.wire()));
            }
        }
        if (!f.levels().isEmpty()) {
            sql.append(" AND level IN (").append(placeholders(f.levels().size())).append(')');
            args.addAll(f.levels());
        }
        if (f.name() != null) {
            sql.append(" AND name = ?");
            args.add(f.name());
        }
        if (f.fromTs() != null) {
            sql.append(" AND ts >= ?");
            args.add(f.fromTs());
        }
        if (f.toTs() != null) {
            sql.append(" AND ts < ?");
            args.add(f.toTs());
        }
        if (after != null) {
            sql.append(" AND (ts, src, seq) > (?, ?, ?)");
            args.add(after.ts());
            args.add(after.src().code());
            args.add(after.seq());
        }
        sql.append(newestFirst ? " ORDER BY ts DESC, src DESC, seq DESC" : " ORDER BY ts, src, seq").append(" LIMIT ?");
        args.add(limit);
        return new Query(sql.toString(), texts(dialect, args));
    }

    @Override
    public long forEachRecord(long sk, RecordFilter filter, long limit, Predicate<StoredRecord> visitor) {
        Query q = recordPageQuery(dialect, sk, filter, filter.after(), false, limit);
        return query(q.sql(), ps -> {
            bind(ps, q.args());
            long visited = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visited++;
                    if (!visitor.test(readRecord(rs))) {
                        break;
                    }
                }
            }
            return visited;
        });
    }

    /** Every stream named, so the primary key (sk, stream, ts, …) serves the time range in each. */
    static final String RECORDS_BETWEEN = "SELECT " + RECORD_COLUMNS + " FROM records WHERE sk = ? AND stream IN ("
            + Arrays.stream(RecordStream.values()).map(s -> String.valueOf(s.code())).collect(Collectors.joining(", "))
            + ") AND ts BETWEEN ? AND ? AND src = ? AND seq BETWEEN ? AND ? ORDER BY ts, src, seq LIMIT ?";

    @Override
    public List<StoredRecord> recordsBetween(long sk, StoreChange change, int limit) {
        return query(RECORDS_BETWEEN, ps -> {
            ps.setLong(1, sk);
            ps.setLong(2, change.fromTs());
            ps.setLong(3, change.toTs());
            ps.setInt(4, change.src().code());
            ps.setLong(5, change.fromSeq());
            ps.setLong(6, change.toSeq());
            ps.setInt(7, limit);
            List<StoredRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(readRecord(rs));
                }
            }
            return out;
        });
    }

    @Override
    public Optional<TimeRange> timeRange(long sk, RecordStream stream) {
        // Two index probes (first and last entry) instead of one aggregate over the stream.
        String sql = "SELECT (SELECT ts FROM records WHERE sk = ? AND stream = ?"
                + " ORDER BY ts LIMIT 1), (SELECT ts FROM records WHERE sk = ?"
                + " AND stream = ? ORDER BY ts DESC LIMIT 1)";
        return query(sql, ps -> {
            ps.setLong(1, sk);
            ps.setInt(2, stream.code());
            ps.setLong(3, sk);
            ps.setInt(4, stream.code());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(new TimeRange(first, rs.getLong(2)));
            }
        });
    }

    @Override
    public void forEachStatePatch(long sk, StateKey after, StateKey upTo, Predicate<StoredRecord> visitor) {
        // Read only the state records and sort them into merge order, rather than walk the
        // primary key (already in that order) through all of the session's other records.
        String sql = "SELECT " + RECORD_COLUMNS + " FROM records"
                + " WHERE sk = ? AND stream = " + RecordStream.STATE.code()
                + (after == null ? "" : " AND (src, seq) > (?, ?)")
                + (upTo == null ? "" : " AND (src, seq) <= (?, ?)") + " ORDER BY src, seq";
        query(sql, ps -> {
            int i = 1;
            ps.setLong(i++, sk);
            for (StateKey k : new StateKey[] {after, upTo}) {
                if (k != null) {
                    ps.setInt(i++, k.src().code());
                    ps.setLong(i++, k.seq());
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!visitor.test(readRecord(rs))) {
                        break;
                    }
                }
            }
            return null;
        });
    }

    @Override
    public Optional<StateSnapshot> snapshotBefore(long sk, StateKey key, boolean inclusive) {
        String sql = "SELECT src, seq, state FROM state_snapshots WHERE sk = ? AND (src, seq) "
                + (inclusive ? "<=" : "<") + " (?, ?) ORDER BY src DESC, seq DESC LIMIT 1";
        return query(sql, ps -> {
            ps.setLong(1, sk);
            ps.setInt(2, key.src().code());
            ps.setLong(3, key.seq());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StateSnapshot(
                        new StateKey(Source.fromCode(rs.getInt(1)), rs.getLong(2)), rs.getString(3)))
                        : Optional.empty();
            }
        });
    }

    @Override
    public Optional<StateKey> lastPatchAtOrBefore(long sk, long ts) {
        String sql = "SELECT src, seq FROM records WHERE sk = ? AND stream = "
                + RecordStream.STATE.code() + " AND ts <= ? ORDER BY ts DESC, src DESC, seq DESC LIMIT 1";
        return query(sql, ps -> {
            ps.setLong(1, sk);
            ps.setLong(2, ts);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StateKey(Source.fromCode(rs.getInt(1)), rs.getLong(2)))
                        : Optional.empty();
            }
        });
    }

    @Override
    public OptionalDouble lastCumulativeBefore(long sk, String name, List<String> tags, long beforeTs) {
        return query(dialect.lastCumulativeSql(), ps -> {
            ps.setLong(1, sk);
            ps.setLong(2, beforeTs);
            ps.setString(3, dialect.text(name));
            ps.setString(4, Json.mapper().valueToTree(tags).toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalDouble.of(rs.getDouble(1)) : OptionalDouble.empty();
            }
        });
    }

    @Override
    public List<ProductVersionCounts> productVersions(int limit) {
        return query(dialect.productVersionsSql(), ps -> {
            ps.setInt(1, limit);
            List<ProductVersionCounts> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ProductVersionCounts(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                            rs.getLong(10)));
                }
            }
            return out;
        });
    }

    /** Whether a session's events mention a LIKE pattern: parameters sk, then the pattern at every other one. */
    static String mentionsSql(SqlDialect dialect) {
        return "SELECT EXISTS (SELECT 1 FROM records WHERE sk = ? AND stream = " + RecordStream.EVENTS.code()
                + " AND " + dialect.mentionsCondition() + ")";
    }

    @Override
    public boolean mentions(long sk, String text) {
        String pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        String sql = mentionsSql(dialect);
        int parameters = (int) sql.chars().filter(c -> c == '?').count();
        return query(sql, ps -> {
            ps.setLong(1, sk);
            for (int i = 2; i <= parameters; i++) {
                ps.setString(i, dialect.text(pattern));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        });
    }

    /** The query of {@link #expiredSessions}, which the {@code sessions_expiring} index serves. */
    static final String EXPIRED_SESSIONS = "SELECT " + SESSION_COLUMNS + " FROM sessions WHERE "
            + EXPIRING_SESSIONS + " AND last_seen < ? ORDER BY last_seen LIMIT ?";

    @Override
    public List<SessionRow> expiredSessions(long lastSeenBefore, int limit) {
        return query(EXPIRED_SESSIONS, ps -> {
            ps.setLong(1, lastSeenBefore);
            ps.setInt(2, limit);
            return readSessions(ps);
        });
    }

    /** The query of {@link #isExpired}: the session's row by its key. */
    static final String IS_EXPIRED = "SELECT EXISTS (SELECT 1 FROM sessions WHERE sk = ? AND "
            + EXPIRING_SESSIONS + " AND last_seen < ?)";

    @Override
    public boolean isExpired(long sk, long lastSeenBefore) {
        return query(IS_EXPIRED, ps -> {
            ps.setLong(1, sk);
            ps.setLong(2, lastSeenBefore);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        });
    }

    @Override
    public long countSessions() {
        return count("SELECT COUNT(*) FROM sessions");
    }

    @Override
    public long countRecords() {
        return count("SELECT COUNT(*) FROM records");
    }

    private long count(String sql) {
        return query(sql, ps -> {
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Runs {@code body} with a statement for {@code sql}, translating SQL failures. */
    protected <T> T query(String sql, SqlFunction<T> body) {
        try {
            PreparedStatement ps = statement(sql);
            try {
                return body.apply(ps);
            } finally {
                release(ps);
            }
        } catch (SQLException e) {
            throw dialect.translate(e);
        }
    }

    @FunctionalInterface
    protected interface SqlFunction<T> {
        T apply(PreparedStatement ps) throws SQLException;
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
    }

    private static StoredRecord readRecord(ResultSet rs) throws SQLException {
        return new StoredRecord(Source.fromCode(rs.getInt(1)), rs.getLong(2), RecordKind.fromWire(rs.getString(3)),
                rs.getLong(4), rs.getString(5));
    }

    /** Every row a statement of {@link #SESSION_COLUMNS} answers. */
    static List<SessionRow> readSessions(PreparedStatement ps) throws SQLException {
        List<SessionRow> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(readSession(rs));
            }
        }
        return rows;
    }

    private static SessionRow readSession(ResultSet rs) throws SQLException {
        Integer stateSrc = nullableInt(rs, 18);
        StateKey stateKey = stateSrc == null ? null : new StateKey(Source.fromCode(stateSrc), rs.getLong(19));
        return new SessionRow(
                rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                nullableLong(rs, 7), rs.getString(8), rs.getLong(9), nullableLong(rs, 10), rs.getLong(11),
                SessionStatus.fromWire(rs.getString(12)), rs.getInt(13) != 0, rs.getLong(14), rs.getString(15),
                rs.getString(16), rs.getString(17), stateKey,
                new RecordCounts(rs.getLong(20), rs.getLong(21), rs.getLong(22), rs.getLong(23), rs.getLong(24)),
                new SessionCounters(rs.getLong(25), rs.getLong(26), rs.getLong(27)),
                rs.getInt(28) != 0);
    }

    /** Binds every column of {@link #SESSION_DATA_COLUMNS} from position 1. */
    void bindSession(PreparedStatement ps, SessionRow r) throws SQLException {
        int i = 1;
        ps.setString(i++, dialect.text(r.id()));
        ps.setString(i++, dialect.text(r.product()));
        ps.setString(i++, dialect.text(r.version()));
        ps.setString(i++, dialect.text(r.hostname()));
        ps.setString(i++, dialect.text(r.machineId()));
        setNullableLong(ps, i++, r.pid());
        ps.setString(i++, dialect.text(r.client()));
        ps.setLong(i++, r.createdAt());
        setNullableLong(ps, i++, r.endedAt());
        ps.setLong(i++, r.lastSeen());
        ps.setString(i++, r.status().wire());
        ps.setInt(i++, r.hung() ? 1 : 0);
        ps.setLong(i++, r.hangCount());
        ps.setString(i++, dialect.text(r.crashReason()));
        ps.setString(i++, dialect.text(r.crashDetail()));
        ps.setString(i++, r.state());
        if (r.stateKey() == null) {
            ps.setNull(i++, Types.INTEGER);
            ps.setNull(i++, Types.INTEGER);
        } else {
            ps.setInt(i++, r.stateKey().src().code());
            ps.setLong(i++, r.stateKey().seq());
        }
        RecordCounts c = r.counts();
        ps.setLong(i++, c.records());
        ps.setLong(i++, c.events());
        ps.setLong(i++, c.exceptions());
        ps.setLong(i++, c.metrics());
        ps.setLong(i++, c.states());
        ps.setLong(i++, r.counters().clientDropped());
        ps.setLong(i++, r.counters().spoolEvicted());
        ps.setLong(i++, r.counters().lastHeartbeat());
        ps.setInt(i, r.placeholder() ? 1 : 0);
    }

    private static void setNullableLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, v);
        }
    }

    private static Long nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static Integer nullableInt(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }
}

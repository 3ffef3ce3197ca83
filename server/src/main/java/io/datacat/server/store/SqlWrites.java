package io.datacat.server.store;

import io.datacat.protocol.Source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writes of a transaction on one connection. SQLite keeps one instance for its writer
 * connection, used under the store's write lock, so its prepared statements are kept and
 * reused across batches; PostgreSQL makes one per transaction (its driver keeps the
 * prepared statements per connection).
 */
final class SqlWrites extends SqlReads implements WriteTransaction {
    /** Rows per INSERT statement at most (a power of two); measured best between 64 and 256. */
    private static final int MAX_ROWS_PER_INSERT = 128;
    /** The record INSERT of 1, 2, 4, … {@link #MAX_ROWS_PER_INSERT} rows, by log2 of the row count. */
    private static final String[] INSERT_RECORDS = insertRecordStatements();
    private static final String INSERT_SESSION = "INSERT INTO sessions (" + SESSION_DATA_COLUMNS + ") VALUES ("
            + "?, ".repeat(SESSION_DATA_COLUMN_COUNT - 1) + "?) RETURNING sk";
    private static final String UPDATE_SESSION = "UPDATE sessions SET (" + SESSION_DATA_COLUMNS + ") = ("
            + "?, ".repeat(SESSION_DATA_COLUMN_COUNT - 1) + "?) WHERE sk = ?";

    private final Map<String, PreparedStatement> cache = new HashMap<>();
    /** What this transaction changed, for the other servers of a shared database; null when nobody listens. */
    private final ChangeLog changes;

    private static String[] insertRecordStatements() {
        String[] sql = new String[Integer.numberOfTrailingZeros(MAX_ROWS_PER_INSERT) + 1];
        for (int i = 0; i < sql.length; i++) {
            sql[i] = "INSERT INTO records (sk, src, seq, kind, stream, ts, name, level, value, body) VALUES "
                    + String.join(", ", Collections.nCopies(1 << i, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        }
        return sql;
    }

    SqlWrites(Connection conn, SqlDialect dialect) {
        this(conn, dialect, false);
    }

    /** @param logChanges whether to keep what the transaction changes, for {@link #changes()} */
    SqlWrites(Connection conn, SqlDialect dialect, boolean logChanges) {
        super(conn, dialect);
        this.changes = logChanges ? new ChangeLog() : null;
    }

    /** What the transaction changed so far, by session and sequence space. */
    List<StoreChange> changes() {
        return changes == null ? List.of() : changes.list();
    }

    @Override
    protected PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = cache.get(sql);
        if (ps == null) {
            ps = conn.prepareStatement(sql);
            cache.put(sql, ps);
        }
        return ps;
    }

    /** Keeps the statement for the next batch, emptied even when this use failed half-way. */
    @Override
    protected void release(PreparedStatement ps) throws SQLException {
        ps.clearBatch();
        ps.clearParameters();
    }

    @Override
    public SessionRow insertSession(SessionRow row) {
        SessionRow inserted = query(INSERT_SESSION, ps -> {
            bindSession(ps, row);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return row.toBuilder().sk(rs.getLong(1)).build();
            }
        });
        if (changes != null) {
            changes.session(inserted);
        }
        return inserted;
    }

    @Override
    public void updateSession(SessionRow row) {
        if (changes != null) {
            changes.session(row);
        }
        query(UPDATE_SESSION, ps -> {
            bindSession(ps, row);
            ps.setLong(SESSION_DATA_COLUMN_COUNT + 1, row.sk());
            if (ps.executeUpdate() != 1) {
                throw new StoreException("session " + row.id() + " (sk " + row.sk() + ") vanished during a write");
            }
            return null;
        });
    }

    /**
     * Inserts the rows whose identity is new, with the database's bulk path if it has one
     * (PostgreSQL's COPY), else with multi-row statements: one INSERT of many rows
     * costs SQLite and the driver much less per row than a JDBC batch of one-row INSERTs (about
     * 1.6 times the rows per second with this schema). The identities are checked against the
     * {@code seq_ranges} of each sequence space of the batch, which then take the new seqs.
     */
    @Override
    public boolean[] insertRecords(List<RecordRow> rows) {
        boolean[] fresh = newIdentities(rows);
        int[] pending = new int[rows.size()];
        int count = 0;
        for (int i = 0; i < fresh.length; i++) {
            if (fresh[i]) {
                pending[count++] = i;
                if (changes != null) {
                    changes.record(rows.get(i));
                }
            }
        }
        try {
            if (count > 0 && dialect.bulkInsert(conn, rows, pending, count)) {
                return fresh;
            }
        } catch (SQLException e) {
            throw dialect.translate(e);
        }
        int at = 0;
        for (int size = MAX_ROWS_PER_INSERT; size >= 1; size >>= 1) {
            while (count - at >= size) {
                insertRows(rows, pending, at, size);
                at += size;
            }
        }
        return fresh;
    }

    /**
     * For each row, whether its identity is neither stored yet nor taken by an earlier row of
     * the batch; the new identities are added to {@code seq_ranges} on the way.
     */
    private boolean[] newIdentities(List<RecordRow> rows) {
        Map<SequenceSpace, SpaceRows> spaces = new LinkedHashMap<>();
        SpaceRows last = null;
        for (int i = 0; i < rows.size(); i++) {
            RecordRow r = rows.get(i);
            if (last == null || last.sk != r.sk() || last.src != r.src()) {
                last = spaces.computeIfAbsent(new SequenceSpace(r.sk(), r.src()), k -> new SpaceRows(k.sk(), k.src()));
            }
            last.add(i, r.seq());
        }
        boolean[] fresh = new boolean[rows.size()];
        for (SpaceRows space : spaces.values()) {
            List<SeqRanges.Range> near = rangesNear(space);
            long[] added = new long[space.size];
            int count = 0;
            Set<Long> seen = space.ascending ? null : new HashSet<>();
            for (int k = 0; k < space.size; k++) {
                long seq = space.seqs[k];
                if (!SeqRanges.covers(near, seq) && (seen == null || seen.add(seq))) {
                    fresh[space.rows[k]] = true;
                    added[count++] = seq;
                }
            }
            if (count > 0) {
                replaceRanges(space, near, SeqRanges.merge(near, added, count));
            }
        }
        return fresh;
    }

    /** The stored ranges of a space that contain or touch a seq of the batch's range, sorted by lo. */
    private List<SeqRanges.Range> rangesNear(SpaceRows space) {
        // The last range starting before the batch (if it reaches it) and every range starting
        // within it: two probes of the primary key, however many ranges the space has.
        return query("SELECT lo, hi FROM (SELECT lo, hi FROM seq_ranges WHERE sk = ? AND src = ? AND lo < ?"
                + " ORDER BY lo DESC LIMIT 1) AS before_batch WHERE hi >= ? - 1"
                + " UNION ALL SELECT lo, hi FROM seq_ranges WHERE sk = ? AND src = ? AND lo >= ? AND lo <= ? + 1"
                + " ORDER BY lo", ps -> {
                    int p = 1;
                    ps.setLong(p++, space.sk);
                    ps.setInt(p++, space.src.code());
                    ps.setLong(p++, space.minSeq);
                    ps.setLong(p++, space.minSeq);
                    ps.setLong(p++, space.sk);
                    ps.setInt(p++, space.src.code());
                    ps.setLong(p++, space.minSeq);
                    ps.setLong(p, space.maxSeq);
                    List<SeqRanges.Range> ranges = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ranges.add(new SeqRanges.Range(rs.getLong(1), rs.getLong(2)));
                        }
                    }
                    return ranges;
                });
    }

    /** Replaces a space's ranges {@code before} by {@code after}, which covers them. */
    private void replaceRanges(SpaceRows space, List<SeqRanges.Range> before, List<SeqRanges.Range> after) {
        if (before.size() == 1 && after.size() == 1 && before.get(0).lo() == after.get(0).lo()) {
            // The usual batch: it extends the session's one range.
            query("UPDATE seq_ranges SET hi = ? WHERE sk = ? AND src = ? AND lo = ?", ps -> {
                ps.setLong(1, after.get(0).hi());
                ps.setLong(2, space.sk);
                ps.setInt(3, space.src.code());
                ps.setLong(4, after.get(0).lo());
                ps.executeUpdate();
                return null;
            });
            return;
        }
        if (!before.isEmpty()) {
            query("DELETE FROM seq_ranges WHERE sk = ? AND src = ? AND lo = ?", ps -> {
                for (SeqRanges.Range r : before) {
                    ps.setLong(1, space.sk);
                    ps.setInt(2, space.src.code());
                    ps.setLong(3, r.lo());
                    ps.addBatch();
                }
                ps.executeBatch();
                return null;
            });
        }
        query("INSERT INTO seq_ranges (sk, src, lo, hi) VALUES (?, ?, ?, ?)", ps -> {
            for (SeqRanges.Range r : after) {
                ps.setLong(1, space.sk);
                ps.setInt(2, space.src.code());
                ps.setLong(3, r.lo());
                ps.setLong(4, r.hi());
                ps.addBatch();
            }
            ps.executeBatch();
            return null;
        });
    }

    private record SequenceSpace(long sk, Source src) {
    }

    /** The rows of a batch in one sequence space, with their seqs and range of seqs. */
    private static final class SpaceRows {
        final long sk;
        final Source src;
        int[] rows = new int[16];
        long[] seqs = new long[16];
        int size;
        long minSeq = Long.MAX_VALUE;
        long maxSeq = Long.MIN_VALUE;
        boolean ascending = true;

        SpaceRows(long sk, Source src) {
            this.sk = sk;
            this.src = src;
        }

        void add(int row, long seq) {
            if (size == rows.length) {
                rows = Arrays.copyOf(rows, size * 2);
                seqs = Arrays.copyOf(seqs, size * 2);
            }
            rows[size] = row;
            seqs[size++] = seq;
            ascending &= seq > maxSeq;
            minSeq = Math.min(minSeq, seq);
            maxSeq = Math.max(maxSeq, seq);
        }
    }

    /** Inserts {@code rows[pending[from]]} … {@code rows[pending[from + size - 1]]} with one statement. */
    private void insertRows(List<RecordRow> rows, int[] pending, int from, int size) {
        query(INSERT_RECORDS[Integer.numberOfTrailingZeros(size)], ps -> {
            int p = 1;
            for (int i = from; i < from + size; i++) {
                RecordRow r = rows.get(pending[i]);
                ps.setLong(p++, r.sk());
                ps.setInt(p++, r.src().code());
                ps.setLong(p++, r.seq());
                ps.setString(p++, r.kind().wire());
                ps.setInt(p++, RecordStream.of(r.kind()).code());
                ps.setLong(p++, r.ts());
                ps.setString(p++, dialect.text(r.name()));
                ps.setString(p++, r.level());
                if (r.value() == null) {
                    ps.setNull(p++, Types.REAL);
                } else {
                    ps.setDouble(p++, r.value());
                }
                ps.setString(p++, r.body());
            }
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public void insertEventNames(long sk, Collection<String> names) {
        if (names.isEmpty()) {
            return;
        }
        query("INSERT INTO session_event_names (name, sk) VALUES (?, ?) ON CONFLICT DO NOTHING", ps -> {
            for (String name : names) {
                ps.setString(1, dialect.text(name));
                ps.setLong(2, sk);
                ps.addBatch();
            }
            ps.executeBatch();
            return null;
        });
    }

    @Override
    public void insertStateValues(long sk, Collection<StateValue> values) {
        if (values.isEmpty()) {
            return;
        }
        query("INSERT INTO state_values (path, value, sk) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
            for (StateValue v : values) {
                ps.setString(1, dialect.text(v.path()));
                ps.setString(2, dialect.text(v.value()));
                ps.setLong(3, sk);
                ps.addBatch();
            }
            ps.executeBatch();
            return null;
        });
    }

    @Override
    public void insertSnapshot(long sk, StateKey key, String state) {
        query("INSERT INTO state_snapshots (sk, src, seq, state) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (sk, src, seq) DO UPDATE SET state = excluded.state", ps -> {
                    ps.setLong(1, sk);
                    ps.setInt(2, key.src().code());
                    ps.setLong(3, key.seq());
                    ps.setString(4, state);
                    ps.executeUpdate();
                    return null;
                });
    }

    @Override
    public void deleteSnapshots(long sk) {
        query("DELETE FROM state_snapshots WHERE sk = ?", ps -> {
            ps.setLong(1, sk);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public long lastSeq(long sk, Source src) {
        return query("SELECT COALESCE((SELECT hi FROM seq_ranges WHERE sk = ? AND src = ? ORDER BY lo DESC LIMIT 1), 0)",
                ps -> {
                    ps.setLong(1, sk);
                    ps.setInt(2, src.code());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
    }

    @Override
    public List<SessionRow> markSilentSessionsAbnormal(long lastSeenBefore) {
        return query("UPDATE sessions SET status = '" + SessionStatus.ABNORMAL.wire() + "', ended_at = last_seen "
                + "WHERE status = '" + SessionStatus.ACTIVE.wire() + "' AND last_seen < ? RETURNING " + SESSION_COLUMNS,
                ps -> {
                    ps.setLong(1, lastSeenBefore);
                    List<SessionRow> marked = readSessions(ps);
                    if (changes != null) {
                        marked.forEach(changes::session);
                    }
                    return marked;
                });
    }

    /** The first records of a session in primary-key order, a key range: (sk, limit). */
    static final String DELETE_RECORDS = "DELETE FROM records WHERE (sk, stream, ts, src, seq) IN"
            + " (SELECT sk, stream, ts, src, seq FROM records WHERE sk = ? LIMIT ?)";
    /** Everything stored about a session, the session's row last: each by an index on sk. */
    static final List<String> DELETE_SESSION = List.of("records", "state_snapshots", "state_values",
            "session_event_names", "seq_ranges", "sessions").stream()
            .map(table -> "DELETE FROM " + table + " WHERE sk = ?").toList();

    @Override
    public int deleteRecords(long sk, int limit) {
        return query(DELETE_RECORDS, ps -> {
            ps.setLong(1, sk);
            ps.setInt(2, limit);
            return ps.executeUpdate();
        });
    }

    @Override
    public void deleteSession(long sk) {
        for (String sql : DELETE_SESSION) {
            query(sql, ps -> {
                ps.setLong(1, sk);
                return ps.executeUpdate();
            });
        }
    }

    /** Closes the kept statements (the connection is closed by the store). */
    void closeStatements() {
        for (PreparedStatement ps : cache.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing anyway; the connection close that follows releases everything
            }
        }
        cache.clear();
    }

    /** The sessions a transaction changed, and the runs of seqs (with their times) it stored of each. */
    private static final class ChangeLog {
        private final Map<Long, String> sids = new LinkedHashMap<>();
        /** Per sequence space, the new records' seq and ts, two longs each. */
        private final Map<SequenceSpace, long[]> stored = new LinkedHashMap<>();
        private final Map<SequenceSpace, Integer> counts = new HashMap<>();

        void session(SessionRow row) {
            sids.put(row.sk(), row.id());
        }

        void record(RecordRow r) {
            SequenceSpace space = new SequenceSpace(r.sk(), r.src());
            int n = counts.getOrDefault(space, 0);
            long[] a = stored.get(space);
            if (a == null || a.length < 2 * (n + 1)) {
                a = Arrays.copyOf(a == null ? new long[0] : a, Math.max(32, 4 * (n + 1)));
                stored.put(space, a);
            }
            a[2 * n] = r.seq();
            a[2 * n + 1] = r.ts();
            counts.put(space, n + 1);
        }

        /**
         * One change per run of consecutive new seqs, so a reader of the change finds exactly
         * the records this transaction stored, none stored before. Every session is updated in
         * the transaction that stores its records, so its id is known.
         */
        List<StoreChange> list() {
            List<StoreChange> out = new ArrayList<>();
            Set<Long> withRecords = new HashSet<>();
            stored.forEach((space, a) -> {
                String sid = sids.get(space.sk());
                if (sid == null) {
                    return;
                }
                withRecords.add(space.sk());
                int n = counts.get(space);
                long[][] pairs = new long[n][];
                for (int i = 0; i < n; i++) {
                    pairs[i] = new long[] {a[2 * i], a[2 * i + 1]};
                }
                Arrays.sort(pairs, (x, y) -> Long.compare(x[0], y[0]));
                int start = 0;
                for (int i = 1; i <= n; i++) {
                    if (i == n || pairs[i][0] != pairs[i - 1][0] + 1) {
                        long fromTs = Long.MAX_VALUE;
                        long toTs = Long.MIN_VALUE;
                        for (int k = start; k < i; k++) {
                            fromTs = Math.min(fromTs, pairs[k][1]);
                            toTs = Math.max(toTs, pairs[k][1]);
                        }
                        out.add(new StoreChange(sid, space.src(), pairs[start][0], pairs[i - 1][0], fromTs, toTs));
                        start = i;
                    }
                }
            });
            sids.forEach((sk, sid) -> {
                if (!withRecords.contains(sk)) {
                    out.add(StoreChange.sessionOnly(sid));
                }
            });
            return out;
        }
    }
}

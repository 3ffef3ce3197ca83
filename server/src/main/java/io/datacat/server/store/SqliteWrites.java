package io.datacat.server.store;

import io.datacat.protocol.Source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The writer connection's transaction. There is one instance per store, used under the
 * store's write lock, so its prepared statements are kept and reused across batches.
 */
final class SqliteWrites extends SqliteReads implements WriteTransaction {
    private static final String INSERT_RECORD = "INSERT INTO records (sk, src, seq, kind, stream, ts, name, level, "
            + "value, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String INSERT_SESSION = "INSERT INTO sessions (" + SESSION_DATA_COLUMNS + ") VALUES ("
            + "?, ".repeat(SESSION_DATA_COLUMN_COUNT - 1) + "?) RETURNING sk";
    private static final String UPDATE_SESSION = "UPDATE sessions SET (" + SESSION_DATA_COLUMNS + ") = ("
            + "?, ".repeat(SESSION_DATA_COLUMN_COUNT - 1) + "?) WHERE sk = ?";

    private final Map<String, PreparedStatement> cache = new HashMap<>();

    SqliteWrites(Connection conn) {
        super(conn);
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
        return query(INSERT_SESSION, ps -> {
            bindSession(ps, row);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return row.toBuilder().sk(rs.getLong(1)).build();
            }
        });
    }

    @Override
    public void updateSession(SessionRow row) {
        query(UPDATE_SESSION, ps -> {
            bindSession(ps, row);
            ps.setLong(SESSION_DATA_COLUMN_COUNT + 1, row.sk());
            if (ps.executeUpdate() != 1) {
                throw new StoreException("session " + row.id() + " (sk " + row.sk() + ") vanished during a write");
            }
            return null;
        });
    }

    @Override
    public boolean[] insertRecords(List<RecordRow> rows) {
        if (rows.isEmpty()) {
            return new boolean[0];
        }
        return query(INSERT_RECORD, ps -> {
            for (RecordRow r : rows) {
                ps.setLong(1, r.sk());
                ps.setInt(2, r.src().code());
                ps.setLong(3, r.seq());
                ps.setString(4, r.kind().wire());
                ps.setInt(5, RecordStream.of(r.kind()).code());
                ps.setLong(6, r.ts());
                ps.setString(7, r.name());
                ps.setString(8, r.level());
                if (r.value() == null) {
                    ps.setNull(9, Types.REAL);
                } else {
                    ps.setDouble(9, r.value());
                }
                ps.setString(10, r.body());
                ps.addBatch();
            }
            int[] changes = ps.executeBatch();
            boolean[] inserted = new boolean[changes.length];
            for (int i = 0; i < changes.length; i++) {
                inserted[i] = changes[i] > 0;
            }
            return inserted;
        });
    }

    @Override
    public void insertStateValues(long sk, Collection<StateValue> values) {
        if (values.isEmpty()) {
            return;
        }
        query("INSERT INTO state_values (path, value, sk) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
            for (StateValue v : values) {
                ps.setString(1, v.path());
                ps.setString(2, v.value());
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
                + " ON CONFLICT DO UPDATE SET state = excluded.state", ps -> {
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
        return query("SELECT COALESCE(MAX(seq), 0) FROM records WHERE sk = ? AND src = ?", ps -> {
            ps.setLong(1, sk);
            ps.setInt(2, src.code());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public int markSilentSessionsAbnormal(long lastSeenBefore) {
        return query("UPDATE sessions SET status = '" + SessionStatus.ABNORMAL.wire() + "', ended_at = last_seen "
                + "WHERE status = '" + SessionStatus.ACTIVE.wire() + "' AND last_seen < ?", ps -> {
                    ps.setLong(1, lastSeenBefore);
                    return ps.executeUpdate();
                });
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
}

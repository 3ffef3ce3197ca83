package io.datacat.server.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The SQLite schema, versioned with {@code PRAGMA user_version}. Each entry of
 * {@link #MIGRATIONS} brings the schema from version i to i + 1; a database from a newer
 * server is refused rather than misread.
 */
final class SqliteSchema {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteSchema.class);

    /** The columns of the records table, whose key changed in version 4. */
    private static final String RECORD_COLUMNS = "sk INTEGER NOT NULL, src INTEGER NOT NULL, seq INTEGER NOT NULL,"
            + " kind TEXT NOT NULL, stream INTEGER NOT NULL, ts INTEGER NOT NULL, name TEXT, level TEXT, value REAL,"
            + " body TEXT NOT NULL";

    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE sessions (
              sk              INTEGER PRIMARY KEY,
              id              TEXT    NOT NULL UNIQUE,
              product         TEXT    NOT NULL,
              version         TEXT    NOT NULL,
              hostname        TEXT,
              machine_id      TEXT,
              pid             INTEGER,
              client          TEXT,
              created_at      INTEGER NOT NULL,
              ended_at        INTEGER,
              last_seen       INTEGER NOT NULL,
              status          TEXT    NOT NULL,
              hung            INTEGER NOT NULL DEFAULT 0,
              hang_count      INTEGER NOT NULL DEFAULT 0,
              crash_reason    TEXT,
              crash_detail    TEXT,
              state           TEXT    NOT NULL DEFAULT '{}',
              state_src       INTEGER,
              state_seq       INTEGER,
              record_count    INTEGER NOT NULL DEFAULT 0,
              event_count     INTEGER NOT NULL DEFAULT 0,
              exception_count INTEGER NOT NULL DEFAULT 0,
              metric_count    INTEGER NOT NULL DEFAULT 0,
              state_count     INTEGER NOT NULL DEFAULT 0,
              client_dropped  INTEGER NOT NULL DEFAULT 0,
              spool_evicted   INTEGER NOT NULL DEFAULT 0,
              last_heartbeat  INTEGER NOT NULL DEFAULT 0,
              placeholder     INTEGER NOT NULL DEFAULT 0
            )""",
            // The sessions list is newest first, filtered by product, version or status.
            "CREATE INDEX sessions_by_created ON sessions (created_at, id)",
            "CREATE INDEX sessions_by_product ON sessions (product, created_at, id)",
            "CREATE INDEX sessions_by_product_version ON sessions (product, version, created_at, id)",
            "CREATE INDEX sessions_by_status ON sessions (status, created_at, id)",
            "CREATE INDEX sessions_hung ON sessions (created_at, id) WHERE hung = 1",
            "CREATE TABLE records (" + RECORD_COLUMNS + ", PRIMARY KEY (sk, src, seq)) WITHOUT ROWID",
            // A session's events, metrics or state by time; (src, seq) ride along as the key.
            "CREATE INDEX records_by_stream ON records (sk, stream, ts)",
            // Which sessions logged an event of a given name.
            "CREATE INDEX records_events_by_name ON records (name, sk) WHERE stream = 1"),
        List.of(
            // The products overview counts sessions by product, version and status from this
            // index alone, without reading the (large) session rows.
            "CREATE INDEX sessions_overview ON sessions (product, version, status, hang_count, hung, last_seen)",
            "CREATE INDEX sessions_hung_ever ON sessions (created_at, id) WHERE hang_count > 0",
            // The session page's markers and its warning-and-worse filter: only those events
            // get an entry, so ordinary events cost nothing more at ingest.
            "CREATE INDEX records_notable ON records (sk, ts) WHERE " + SqlReads.NOTABLE_EVENTS,
            // Every scalar value a state key ever held, per session: the sessions list's
            // "state key = value at any point" filter. One row per distinct (key, value, session).
            """
            CREATE TABLE state_values (
              path  TEXT    NOT NULL,
              value TEXT    NOT NULL,
              sk    INTEGER NOT NULL,
              PRIMARY KEY (path, value, sk)
            ) WITHOUT ROWID""",
            // The full state after every SNAPSHOT_EVERY-th patch, so the state at any moment is
            // a snapshot plus fewer than SNAPSHOT_EVERY patches, however long the session.
            """
            CREATE TABLE state_snapshots (
              sk    INTEGER NOT NULL,
              src   INTEGER NOT NULL,
              seq   INTEGER NOT NULL,
              state TEXT    NOT NULL,
              PRIMARY KEY (sk, src, seq)
            ) WITHOUT ROWID"""),
        List.of(
            // The names of events and exceptions each session logged, one row per distinct
            // (name, session): the sessions list's event filter. It replaces an index entry per
            // event (records_events_by_name), which cost every event insert a second b-tree write;
            // now a batch inserts its few distinct names.
            """
            CREATE TABLE session_event_names (
              name TEXT    NOT NULL,
              sk   INTEGER NOT NULL,
              PRIMARY KEY (name, sk)
            ) WITHOUT ROWID""",
            "INSERT INTO session_event_names (name, sk) SELECT DISTINCT name, sk FROM records "
                    + "INDEXED BY records_events_by_name WHERE stream = 1",
            "DROP INDEX records_events_by_name"),
        List.of(
            // Records keyed by how they are read, a session's stream by time, so one b-tree
            // serves both the inserts and the session page: the separate stream index cost every
            // insert a second b-tree write, a quarter of the ingest's time in SQLite.
            "CREATE TABLE records_by_time (" + RECORD_COLUMNS + ", PRIMARY KEY (sk, stream, ts, src, seq)) WITHOUT ROWID",
            "INSERT INTO records_by_time (sk, src, seq, kind, stream, ts, name, level, value, body)"
                    + " SELECT sk, src, seq, kind, stream, ts, name, level, value, body FROM records",
            "DROP TABLE records",
            "ALTER TABLE records_by_time RENAME TO records",
            // (src, seq) spelled out: the primary key's columns that an index gets implicitly
            // follow in key order, stream first, which would not give the pages' time order.
            "CREATE INDEX records_notable ON records (sk, ts, src, seq) WHERE " + SqlReads.NOTABLE_EVENTS,
            // Which seqs of each session and source are stored, as disjoint ranges [lo, hi]:
            // the identity check that makes each (session, src, seq) stored once. A session
            // delivered in order is one row whose hi grows batch by batch.
            """
            CREATE TABLE seq_ranges (
              sk  INTEGER NOT NULL,
              src INTEGER NOT NULL,
              lo  INTEGER NOT NULL,
              hi  INTEGER NOT NULL,
              PRIMARY KEY (sk, src, lo)
            ) WITHOUT ROWID""",
            // Consecutive seqs share seq - rank, so each such island is one range.
            "INSERT INTO seq_ranges (sk, src, lo, hi) SELECT sk, src, MIN(seq), MAX(seq) FROM (SELECT sk, src, seq,"
                    + " seq - ROW_NUMBER() OVER (PARTITION BY sk, src ORDER BY seq) AS island FROM records)"
                    + " GROUP BY sk, src, island"),
        List.of(
            // Retention: the sessions it may delete, oldest first. Active sessions, whose
            // last_seen moves with every batch, are not in it, so ingest does not pay for it.
            "CREATE INDEX sessions_expiring ON sessions (last_seen) WHERE " + SqlReads.EXPIRING_SESSIONS,
            // A deleted session's rows of these two tables, whose keys start with the name.
            "CREATE INDEX state_values_by_session ON state_values (sk)",
            "CREATE INDEX session_event_names_by_session ON session_event_names (sk)"));

    /** The schema version this server writes. */
    static final int VERSION = MIGRATIONS.size();

    private SqliteSchema() {
    }

    /** Brings the database to {@link #VERSION} in one transaction. */
    static void migrate(Connection writer, String where) throws SQLException {
        migrate(writer, where, VERSION);
    }

    /** Brings the database to {@code target} (below {@link #VERSION} only to test upgrades from it). */
    static void migrate(Connection writer, String where, int target) throws SQLException {
        SqliteStore.begin(writer);
        try (Statement st = writer.createStatement()) {
            int current;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                current = rs.next() ? rs.getInt(1) : 0;
            }
            if (current > VERSION) {
                throw new StoreException(where + " was written by a newer DataCat server (schema version " + current
                        + "; this server knows up to " + VERSION + "). Run that newer server, or start with another"
                        + " --data folder.");
            }
            boolean upgrade = current > 0 && current < target;
            long started = System.nanoTime();
            if (upgrade) {
                LOG.info("upgrading {} from schema version {} to {}; a large database takes a while", where, current,
                        target);
            }
            for (int v = current; v < target; v++) {
                for (String sql : MIGRATIONS.get(v)) {
                    st.executeUpdate(sql);
                }
            }
            st.executeUpdate("PRAGMA user_version = " + Math.max(current, target));
            st.executeUpdate("COMMIT");
            if (upgrade) {
                LOG.info("upgraded {} to schema version {} in {} ms", where, target,
                        (System.nanoTime() - started) / 1_000_000);
            }
        } catch (SQLException | RuntimeException e) {
            SqliteStore.rollback(writer, e);
            throw e;
        }
    }
}

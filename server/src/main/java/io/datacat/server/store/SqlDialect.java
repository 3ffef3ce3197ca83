package io.datacat.server.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * What the two databases spell differently: index hints, JSON inside SQL, and how a driver
 * failure says whether retrying can help. Everything else in {@link SqlReads} and
 * {@link SqlWrites} is the same SQL for both.
 */
enum SqlDialect {
    SQLITE {
        @Override
        String notableIndexHint() {
            return " INDEXED BY records_notable";
        }

        @Override
        String productVersionsSql() {
            return "SELECT product, version, COUNT(*),"
                    + " SUM(status = 'active'), SUM(status = 'ended'), SUM(status = 'crashed'),"
                    + " SUM(status = 'abnormal'), SUM(hang_count > 0), SUM(hung), MAX(last_seen)"
                    + " FROM sessions INDEXED BY sessions_overview GROUP BY product, version LIMIT ?";
        }

        @Override
        void stateNowCondition(List<String> segments, String value, BigDecimal number, StringBuilder sql,
                               List<Object> args) {
            Double n = number == null ? null : number.doubleValue();
            if (!StateValues.isPathUsable(segments)) {
                stateNowByKeys(segments, value, n, sql, args);
                return;
            }
            String path = StateValues.jsonPath(segments);
            // json_extract gives SQL values: numbers compare as numbers (3 = 3.0), booleans as 1/0.
            sql.append(" AND (CASE json_type(s.state, ?) WHEN 'text' THEN json_extract(s.state, ?) = ?"
                    + " WHEN 'integer' THEN json_extract(s.state, ?) = ? WHEN 'real' THEN json_extract(s.state, ?) = ?"
                    + " WHEN 'true' THEN ? = 'true' WHEN 'false' THEN ? = 'false' ELSE 0 END)");
            args.addAll(Arrays.asList(path, path, value, path, n, path, n, value, value));
        }

        /**
         * The same test for keys a JSON path cannot spell (with a {@code "} or a {@code \}): one
         * {@code json_each} per level, matching each key as plain text.
         */
        private void stateNowByKeys(List<String> segments, String value, Double n, StringBuilder sql,
                                    List<Object> args) {
            sql.append(" AND EXISTS (SELECT 1 FROM json_each(s.state) k0");
            for (int i = 1; i < segments.size(); i++) {
                // A member that is not an object has no keys to look into (json_each would read its text as JSON).
                sql.append(", json_each(CASE k").append(i - 1).append(".type WHEN 'object' THEN k").append(i - 1)
                        .append(".value ELSE '{}' END) k").append(i);
            }
            sql.append(" WHERE");
            for (int i = 0; i < segments.size(); i++) {
                sql.append(" k").append(i).append(".key = ? AND");
                args.add(segments.get(i));
            }
            String last = "k" + (segments.size() - 1);
            sql.append(" (CASE ").append(last).append(".type WHEN 'text' THEN ").append(last).append(".atom = ?")
                    .append(" WHEN 'integer' THEN ").append(last).append(".atom = ? WHEN 'real' THEN ").append(last)
                    .append(".atom = ? WHEN 'true' THEN ? = 'true' WHEN 'false' THEN ? = 'false' ELSE 0 END))");
            args.addAll(Arrays.asList(value, n, n, value, value));
        }

        @Override
        String lastCumulativeSql() {
            // Tags compare as sorted JSON arrays, each side sorted by SQLite, so their order does not matter.
            return "SELECT value FROM records WHERE sk = ? AND stream = " + RecordStream.METRICS.code()
                    + " AND ts < ? AND name = ?"
                    + " AND json_extract(body, '$.type') = 'counter' AND json_type(body, '$.cumulative') = 'true'"
                    + " AND (SELECT json_group_array(value) FROM (SELECT value FROM json_each(body, '$.tags')"
                    + " ORDER BY value)) = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(?)"
                    + " ORDER BY value)) ORDER BY ts DESC, src DESC, seq DESC LIMIT 1";
        }

        @Override
        String mentionsCondition() {
            // SQLite's LIKE folds ASCII letters only, as free text promises.
            String like = " LIKE ? ESCAPE '\\'";
            return "(name" + like + " OR json_extract(body, '$.message')" + like
                    + " OR json_extract(body, '$.exception_type')" + like
                    + " OR json_extract(body, '$.exception_msg')" + like + ")";
        }

        @Override
        boolean bulkInsert(Connection conn, List<RecordRow> rows, int[] pending, int count) {
            return false;
        }

        @Override
        String text(String s) {
            return s;
        }

        @Override
        StoreException translate(SQLException e) {
            return SqliteStore.translate(e);
        }
    },

    POSTGRES {
        @Override
        String notableIndexHint() {
            return "";
        }

        @Override
        String productVersionsSql() {
            return "SELECT product, version, COUNT(*),"
                    + " COUNT(*) FILTER (WHERE status = 'active'), COUNT(*) FILTER (WHERE status = 'ended'),"
                    + " COUNT(*) FILTER (WHERE status = 'crashed'), COUNT(*) FILTER (WHERE status = 'abnormal'),"
                    + " COUNT(*) FILTER (WHERE hang_count > 0), SUM(hung), MAX(last_seen)"
                    + " FROM sessions GROUP BY product, version ORDER BY product, version LIMIT ?";
        }

        @Override
        void stateNowCondition(List<String> segments, String value, BigDecimal number, StringBuilder sql,
                               List<Object> args) {
            String[] path = segments.stream().map(this::text).toArray(String[]::new);
            // The datacat_json_* functions (PostgresSchema) read any JSON text the store holds.
            sql.append(" AND (CASE datacat_json_type(s.state, ?) WHEN 'string' THEN datacat_json_text(s.state, ?) = ?"
                    + " WHEN 'number' THEN datacat_json_text(s.state, ?)::numeric = ?"
                    + " WHEN 'boolean' THEN datacat_json_text(s.state, ?) = ? ELSE false END)");
            args.addAll(Arrays.asList(path, path, text(value), path, number, path, text(value)));
        }

        @Override
        String lastCumulativeSql() {
            // Both tag lists sorted the same way, so their order does not matter.
            return "SELECT value FROM records WHERE sk = ? AND stream = " + RecordStream.METRICS.code()
                    + " AND ts < ? AND name = ?"
                    + " AND " + jsonField("body", "type") + " = 'counter'"
                    + " AND datacat_json_type(body, '{cumulative}') = 'boolean' AND " + jsonField("body", "cumulative")
                    + " = 'true' AND datacat_json_strings(body, '{tags}') = datacat_json_strings(?, '{}')"
                    + " ORDER BY ts DESC, src DESC, seq DESC LIMIT 1";
        }

        /** A top-level field of a JSON text column, as text (the functions are in PostgresSchema). */
        private String jsonField(String column, String field) {
            return "datacat_json_text(" + column + ", '{" + field + "}')";
        }

        /**
         * A body without a backslash holds its strings as they read, so one that does not contain
         * the text at all (most) is passed over without being read as JSON; the others are read.
         * Reading every body as JSON made a search of a session of 200,000 events take seconds.
         */
        @Override
        String mentionsCondition() {
            return "(" + caselessLike("name") + " OR ((strpos(body, '\\') > 0 OR " + caselessLike("body") + ") AND ("
                    + caselessLike(jsonField("body", "message")) + " OR "
                    + caselessLike(jsonField("body", "exception_type")) + " OR "
                    + caselessLike(jsonField("body", "exception_msg")) + ")))";
        }

        /** Folds ASCII letters only, as SQLite's LIKE does, whatever the database's locale. */
        private String caselessLike(String expr) {
            return ascii(expr) + " LIKE " + ascii("?") + " ESCAPE '\\'";
        }

        /** COPY: about 1.3 times the records per second of multi-row INSERTs (BENCHMARKS.md). */
        @Override
        boolean bulkInsert(Connection conn, List<RecordRow> rows, int[] pending, int count) throws SQLException {
            PostgresCopy.insert(conn, rows, pending, count);
            return true;
        }

        private String ascii(String expr) {
            return "translate(" + expr + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')";
        }

        /**
         * PostgreSQL text cannot hold U+0000, which a client may send inside a JSON string; such
         * a character is stored (and looked for) as U+FFFD in the columns that are read out of a
         * record, while the record's body keeps it, escaped, exactly as sent.
         */
        @Override
        String text(String s) {
            return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
        }

        @Override
        StoreException translate(SQLException e) {
            return PostgresStore.translate(e);
        }
    };

    /** Text after {@code FROM records} that makes a notable-events query use its partial index. */
    abstract String notableIndexHint();

    /** Sessions counted by product, version and status; one parameter, the row limit. */
    abstract String productVersionsSql();

    /** Appends the condition that the session's current state holds {@code value} at the path. */
    abstract void stateNowCondition(List<String> segments, String value, BigDecimal number, StringBuilder sql,
                                    List<Object> args);

    /** The last running total of a counter: parameters sk, before-ts, name, tags as a JSON array. */
    abstract String lastCumulativeSql();

    /**
     * Whether an event's name, message, exception type or message is LIKE a pattern (ASCII
     * letters compared case-insensitively, {@code \\} escaping): every parameter is the pattern.
     */
    abstract String mentionsCondition();

    /**
     * Inserts {@code rows[pending[0..count)]} with the database's bulk path and returns true, or
     * returns false when it has none.
     */
    abstract boolean bulkInsert(Connection conn, List<RecordRow> rows, int[] pending, int count) throws SQLException;

    /** A string as this database can store it. */
    abstract String text(String s);

    /** A driver failure as a store exception that says whether retrying can help. */
    abstract StoreException translate(SQLException e);
}

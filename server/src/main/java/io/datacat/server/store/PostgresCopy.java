package io.datacat.server.store;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Inserts records into PostgreSQL with {@code COPY … FROM STDIN} (text format), which costs
 * the database much less per row than multi-row INSERTs: no parameters to bind, no executor
 * per statement.
 */
final class PostgresCopy {
    private static final String COPY_RECORDS =
            "COPY records (sk, src, seq, kind, stream, ts, name, level, value, body) FROM STDIN";

    private PostgresCopy() {
    }

    /** Inserts {@code rows[pending[0..count)]}, whose identities are new. */
    static void insert(Connection conn, List<RecordRow> rows, int[] pending, int count) throws SQLException {
        StringBuilder text = new StringBuilder(count * 160);
        for (int i = 0; i < count; i++) {
            RecordRow r = rows.get(pending[i]);
            text.append(r.sk()).append('\t').append(r.src().code()).append('\t').append(r.seq()).append('\t');
            field(text, r.kind().wire());
            text.append('\t').append(RecordStream.of(r.kind()).code()).append('\t').append(r.ts()).append('\t');
            field(text, SqlDialect.POSTGRES.text(r.name()));
            text.append('\t');
            field(text, r.level());
            text.append('\t');
            if (r.value() == null) {
                text.append("\\N");
            } else {
                text.append(number(r.value()));
            }
            text.append('\t');
            field(text, r.body());
            text.append('\n');
        }
        try {
            conn.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_RECORDS, new StringReader(text.toString()));
        } catch (IOException e) {
            throw new SQLException("copying records failed: " + e.getMessage(), "08006", e);
        }
    }

    /** PostgreSQL's spelling of a double in text: its infinities and NaN have their own words. */
    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        return Double.toString(v);
    }

    /** A text field of COPY's text format: null as \N; backslash, tab, newline and CR escaped. */
    private static void field(StringBuilder out, String s) {
        if (s == null) {
            out.append("\\N");
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }
}

package io.datacat.server.query;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.server.store.RecordFilter;
import io.datacat.server.store.RecordPage;
import io.datacat.server.store.SessionCursor;
import io.datacat.server.store.SessionFilter;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.SessionStatus;
import io.datacat.server.store.Store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;

/** The sessions list, one session's full JSON, and the export of every session. */
public final class SessionQueries {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    /** How many events, metrics and state history entries the full session JSON embeds at most. */
    public static final int EMBEDDED_MAX = 1_000;
    /** Sessions read per query while exporting, so an export never holds a reader for long. */
    private static final int EXPORT_CHUNK = 100;
    private static final String STATUS_VALUES = "active, ended, crashed, abnormal or hung";

    private final Store store;

    public SessionQueries(Store store) {
        this.store = store;
    }

    /**
     * {@code GET /api/sessions}: newest first, filtered by {@code product}, {@code version},
     * {@code status} (one of {@value #STATUS_VALUES}), {@code from}/{@code to} (created_at,
     * from inclusive, to exclusive), {@code event} (logged an event of that name), paged by
     * {@code limit} and {@code cursor}.
     */
    public ObjectNode list(QueryParams p) {
        SessionFilter filter = filter(p);
        int limit = p.limit(DEFAULT_LIMIT, MAX_LIMIT);
        List<SessionRow> rows = store.read(tx -> tx.listSessions(filter, limit + 1));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode sessions = out.putArray("sessions");
        rows.stream().limit(limit).forEach(r -> sessions.add(SessionJson.summary(r)));
        if (rows.size() > limit) {
            SessionRow last = rows.get(limit - 1);
            out.put("next_cursor", Cursors.session(new SessionCursor(last.createdAt(), last.id())));
        } else {
            out.putNull("next_cursor");
        }
        return out;
    }

    private static SessionFilter filter(QueryParams p) {
        String product = p.text("product", Limits.MAX_PRODUCT_CHARS);
        String version = p.text("version", Limits.MAX_PRODUCT_CHARS);
        String statusText = p.text("status", 16);
        SessionStatus status = null;
        boolean hung = false;
        if ("hung".equals(statusText)) {
            hung = true;
        } else if (statusText != null) {
            status = SessionStatus.fromWire(statusText);
            if (status == null) {
                throw new InvalidInputException("status must be " + STATUS_VALUES + ", got '" + statusText + "'",
                        "status");
            }
        }
        Long from = p.time("from");
        Long to = p.time("to");
        if (from != null && to != null && from >= to) {
            throw new InvalidInputException("from must be earlier than to", "from");
        }
        String event = p.text("event", Limits.MAX_NAME_CHARS);
        String cursor = p.text("cursor", 1024);
        return new SessionFilter(product, version, status, hung, from, to, event,
                cursor == null ? null : Cursors.session(cursor));
    }

    /**
     * {@code GET /api/sessions/{id}}: the compatible session JSON (COMPAT 1.4) with our
     * fields. The embedded {@code events}, {@code metrics} and {@code state_history} hold
     * the latest {@value #EMBEDDED_MAX} entries at most (fewer when they are very large); a
     * cut array is listed in {@code truncated} with its total and the paged route to read
     * all of it.
     */
    public ObjectNode detail(String id) {
        return store.read(tx -> {
            SessionRow row = tx.session(id).orElseThrow(() -> new SessionNotFoundException(id));
            ObjectNode n = SessionJson.withCompatFieldsAndState(row);
            ObjectNode truncated = Json.mapper().createObjectNode();

            HistoryPage history = StateHistory.latest(tx, row, EMBEDDED_MAX);
            n.putArray("state_history").addAll(history.entries());
            if (history.more()) {
                truncated.set("state_history", cut(history.entries().size(), row.counts().states(),
                        "/api/sessions/" + id + "/state/history"));
            }

            RecordPage events = tx.latestRecords(row.sk(),
                    RecordFilter.of(Set.of(RecordKind.EVENT, RecordKind.EXCEPTION)), EMBEDDED_MAX);
            ArrayNode ev = n.putArray("events");
            events.records().forEach(r -> ev.add(RecordJson.compatEvent(r)));
            if (events.more()) {
                truncated.set("events", cut(events.records().size(), row.counts().events() + row.counts().exceptions(),
                        "/api/sessions/" + id + "/events"));
            }

            RecordPage metrics = tx.latestRecords(row.sk(), RecordFilter.of(Set.of(RecordKind.METRIC)), EMBEDDED_MAX);
            ArrayNode mt = n.putArray("metrics");
            metrics.records().forEach(r -> mt.add(RecordJson.of(r)));
            if (metrics.more()) {
                truncated.set("metrics", cut(metrics.records().size(), row.counts().metrics(),
                        "/api/sessions/" + id + "/metrics"));
            }
            n.set("truncated", truncated);
            return n;
        });
    }

    private static ObjectNode cut(int shown, long total, String route) {
        return Json.mapper().createObjectNode().put("shown", shown).put("total", total).put("route", route);
    }

    /**
     * {@code GET /api/data/sessions}: every session (summary, compatible flags and current
     * state; no events), newest first, written to {@code out} as one JSON array while it is
     * read, a chunk of sessions at a time.
     */
    public void exportAll(OutputStream out) throws IOException {
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartArray();
            SessionFilter filter = SessionFilter.ALL;
            while (true) {
                SessionFilter page = filter;
                List<SessionRow> rows = store.read(tx -> tx.listSessions(page, EXPORT_CHUNK));
                for (SessionRow r : rows) {
                    Json.mapper().writeTree(g, SessionJson.withCompatFieldsAndState(r));
                }
                if (rows.size() < EXPORT_CHUNK) {
                    break;
                }
                SessionRow last = rows.get(rows.size() - 1);
                filter = SessionFilter.ALL.withAfter(new SessionCursor(last.createdAt(), last.id()));
            }
            g.writeEndArray();
        }
    }

}

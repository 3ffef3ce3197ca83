package io.datacat.server.query;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.RecordFilter;
import io.datacat.server.store.RecordPage;
import io.datacat.server.store.SessionCursor;
import io.datacat.server.store.SessionFilter;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.SessionStatus;
import io.datacat.server.store.StateMatch;
import io.datacat.server.store.StateValues;
import io.datacat.server.store.Store;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The sessions list, one session's full JSON, and the exports of sessions (compatible JSON, NDJSON). */
public final class SessionQueries {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    /** How many events, metrics and state history entries the full session JSON embeds at most. */
    public static final int EMBEDDED_MAX = 1_000;
    /** Sessions read per query while exporting, so an export never holds a reader for long. */
    public static final int EXPORT_CHUNK = 100;
    private static final String STATUS_VALUES = "active, ended, crashed, abnormal, hung (hung now) or hung_ever "
            + "(hung at some point)";

    private final Store store;

    public SessionQueries(Store store) {
        this.store = store;
    }

    /**
     * {@code GET /api/sessions}: newest first (or oldest first with {@code sort=oldest}),
     * filtered by {@code product}, {@code version}, {@code status} (one of {@value #STATUS_VALUES}),
     * {@code from}/{@code to} (created_at, from inclusive, to exclusive), {@code event} (logged an
     * event of that name), {@code state_key}/{@code state_value} with {@code state_scope}
     * ({@code now}, the default, or {@code ever}), and {@code q} (free text in event names and
     * messages), paged by {@code limit} and {@code cursor}.
     *
     * <p>Every filter but {@code q} is answered from indexes. {@code q} reads the events of the
     * candidate sessions, newest first, for at most {@link #TEXT_SEARCH_BUDGET_MS} ms per request;
     * when that runs out before the page is full, the answer says {@code "partial": true} with a
     * {@code next_cursor} that continues the search where it stopped.
     */
    public ObjectNode list(QueryParams p) {
        SessionFilter filter = filter(p);
        int limit = p.limit(DEFAULT_LIMIT, MAX_LIMIT);
        String text = p.text("q", Limits.MAX_NAME_CHARS);
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode sessions = out.putArray("sessions");
        if (text == null) {
            List<SessionRow> rows = store.read(tx -> tx.listSessions(filter, limit + 1));
            rows.stream().limit(limit).forEach(r -> sessions.add(SessionJson.summary(r)));
            putCursor(out, rows.size() > limit ? rows.get(limit - 1) : null);
            return out;
        }
        TextSearch found = store.read(tx -> searchText(tx, filter, text, limit));
        found.rows().forEach(r -> sessions.add(SessionJson.summary(r)));
        putCursor(out, found.resumeAfter());
        out.put("partial", found.partial());
        return out;
    }

    /** How long one request of a free-text search reads events before it answers with what it found. */
    static final long TEXT_SEARCH_BUDGET_MS = 250;
    /** Candidate sessions read per query while searching text. */
    private static final int TEXT_SEARCH_CHUNK = 200;

    /**
     * @param resumeAfter where the next page starts: the last session shown when the page is
     *                    full, the last one searched when the time ran out, null when done
     */
    private record TextSearch(List<SessionRow> rows, SessionRow resumeAfter, boolean partial) {
    }

    private static TextSearch searchText(ReadTransaction tx, SessionFilter filter, String text, int limit) {
        long deadline = System.nanoTime() + TEXT_SEARCH_BUDGET_MS * 1_000_000;
        List<SessionRow> found = new ArrayList<>();
        SessionFilter page = filter;
        while (true) {
            List<SessionRow> candidates = tx.listSessions(page, TEXT_SEARCH_CHUNK);
            for (SessionRow row : candidates) {
                if (tx.mentions(row.sk(), text)) {
                    if (found.size() == limit) {
                        return new TextSearch(found, found.get(limit - 1), false);
                    }
                    found.add(row);
                }
                if (System.nanoTime() > deadline) {
                    return new TextSearch(found, row, true);
                }
            }
            if (candidates.size() < TEXT_SEARCH_CHUNK) {
                return new TextSearch(found, null, false);
            }
            SessionRow last = candidates.get(candidates.size() - 1);
            page = filter.withAfter(new SessionCursor(last.createdAt(), last.id()));
        }
    }

    private static void putCursor(ObjectNode out, SessionRow after) {
        if (after == null) {
            out.putNull("next_cursor");
        } else {
            out.put("next_cursor", Cursors.session(new SessionCursor(after.createdAt(), after.id())));
        }
    }

    private static SessionFilter filter(QueryParams p) {
        String product = p.text("product", Limits.MAX_PRODUCT_CHARS);
        String version = p.text("version", Limits.MAX_PRODUCT_CHARS);
        String statusText = p.keyword("status");
        SessionStatus status = null;
        boolean hung = "hung".equals(statusText);
        boolean hungEver = "hung_ever".equals(statusText);
        if (statusText != null && !hung && !hungEver) {
            status = SessionStatus.fromWire(statusText);
            if (status == null) {
                throw new InvalidInputException("status must be " + STATUS_VALUES + ", got '" + statusText + "'",
                        "status");
            }
        }
        Long from = p.time("from");
        Long to = p.time("to");
        RecordQueries.checkRange(from, to);
        String event = p.text("event", Limits.MAX_NAME_CHARS);
        String sort = p.keyword("sort");
        if (sort != null && !sort.equals("newest") && !sort.equals("oldest")) {
            throw new InvalidInputException("sort must be newest or oldest, got '" + sort + "'", "sort");
        }
        String cursor = p.text("cursor", 1024);
        return new SessionFilter(product, version, status, hung, hungEver, from, to, event, stateMatch(p),
                "oldest".equals(sort), cursor == null ? null : Cursors.session(cursor));
    }

    private static StateMatch stateMatch(QueryParams p) {
        String key = p.text("state_key", StateValues.MAX_TEXT_CHARS);
        String value = p.text("state_value", StateValues.MAX_TEXT_CHARS);
        String scope = p.keyword("state_scope");
        if (scope != null && !scope.equals("now") && !scope.equals("ever")) {
            throw new InvalidInputException("state_scope must be now or ever, got '" + scope + "'", "state_scope");
        }
        if (key == null && value == null) {
            // A scope with nothing to scope would be silently ignored, and the list wider than asked.
            if (scope != null) {
                throw new InvalidInputException("state_scope needs state_key and state_value: it says whether "
                        + "state_value is matched in the current state (now) or anywhere in its history (ever)",
                        "state_scope");
            }
            return null;
        }
        if (key == null || value == null) {
            throw new InvalidInputException("state_key and state_value go together: give both", key == null
                    ? "state_key" : "state_value");
        }
        StateMatch match = new StateMatch(key, value, "ever".equals(scope));
        List<String> keys;
        try {
            keys = match.segments();
        } catch (IllegalArgumentException e) {
            keys = List.of("");
        }
        // The state history's index writes an empty key's path as nothing, so it could not tell {"": {"a": 1}} from {"a": 1}.
        if (keys.contains("")) {
            throw new InvalidInputException("state_key is a path of keys joined by '.', e.g. player.level, with a '.' "
                    + "inside a key written '\\.' and a '\\' written '\\\\'; a key may not be empty", "state_key");
        }
        return match;
    }

    /** {@code GET /api/sessions/{id}/summary}: what the sessions list shows of it, without its records. */
    public ObjectNode summary(String id) {
        return SessionJson.summary(row(id));
    }

    /** The stored session, for routes that need it as it is. */
    public SessionRow row(String id) {
        return store.read(tx -> tx.session(id)).orElseThrow(() -> new SessionNotFoundException(id));
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
            forEachChunk(SessionFilter.ALL, rows -> {
                for (SessionRow r : rows) {
                    Json.mapper().writeTree(g, SessionJson.withCompatFieldsAndState(r));
                }
            });
            g.writeEndArray();
        }
    }

    /**
     * {@code GET /api/sessions/export}: every session the list would show with these
     * parameters (its filters and {@code sort}, checked the same way), as the list shows each,
     * one per line, without paging. {@code limit} and {@code cursor} are refused rather than
     * ignored, so nobody takes an export for a page. With {@code q}, each candidate's events are
     * searched in a read of its own and without the list's time budget: the export goes on
     * until every candidate was looked at.
     */
    public NdjsonExport export(QueryParams p) {
        p.refusePaging("matching session");
        SessionFilter filter = filter(p);
        String text = p.text("q", Limits.MAX_NAME_CHARS);
        return new NdjsonExport("datacat-sessions.ndjson", lines -> forEachChunk(filter, rows -> {
            for (SessionRow r : rows) {
                if (text == null || store.read(tx -> tx.mentions(r.sk(), text))) {
                    lines.write(SessionJson.summary(r));
                }
            }
            lines.flush();
        }));
    }

    /** What is done with each chunk of sessions. */
    @FunctionalInterface
    private interface ChunkWriter {
        void write(List<SessionRow> rows) throws IOException;
    }

    /**
     * Hands the sessions matching {@code filter}, in its order, to {@code writer}
     * {@value #EXPORT_CHUNK} at a time, each chunk read in a read transaction of its own.
     */
    private void forEachChunk(SessionFilter filter, ChunkWriter writer) throws IOException {
        SessionFilter page = filter;
        while (true) {
            SessionFilter current = page;
            List<SessionRow> rows = store.read(tx -> tx.listSessions(current, EXPORT_CHUNK));
            writer.write(rows);
            if (rows.size() < EXPORT_CHUNK) {
                return;
            }
            SessionRow last = rows.get(rows.size() - 1);
            page = filter.withAfter(new SessionCursor(last.createdAt(), last.id()));
        }
    }
}

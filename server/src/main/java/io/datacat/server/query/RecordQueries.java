package io.datacat.server.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Level;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.RecordFilter;
import io.datacat.server.store.RecordPage;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.StateKey;
import io.datacat.server.store.Store;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A session's records, paged in (ts, src, seq) order: its events (with exceptions), its
 * metrics, everything (for a timeline), its current state and its state history.
 */
public final class RecordQueries {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1_000;
    public static final int HISTORY_DEFAULT_LIMIT = 50;
    public static final int HISTORY_MAX_LIMIT = 500;

    private final Store store;

    public RecordQueries(Store store) {
        this.store = store;
    }

    /** {@code GET /api/sessions/{id}/events?level=&name=&limit=&cursor=}: events and exceptions. */
    public ObjectNode events(String id, QueryParams p) {
        Set<String> levels = new LinkedHashSet<>();
        for (String l : p.list("level")) {
            Level level = Level.fromWire(l);
            if (level == null) {
                throw new InvalidInputException("level must be debug, info, warning, error or critical (several may be "
                        + "given, comma-separated), got '" + l + "'", "level");
            }
            levels.add(level.wire());
        }
        return page(id, "events", EnumSet.of(RecordKind.EVENT, RecordKind.EXCEPTION), levels, p);
    }

    /** {@code GET /api/sessions/{id}/metrics?name=&limit=&cursor=}. */
    public ObjectNode metrics(String id, QueryParams p) {
        return page(id, "metrics", EnumSet.of(RecordKind.METRIC), Set.of(), p);
    }

    /** {@code GET /api/sessions/{id}/records?kind=&limit=&cursor=}: every kind unless {@code kind} lists some. */
    public ObjectNode records(String id, QueryParams p) {
        Set<RecordKind> kinds = EnumSet.noneOf(RecordKind.class);
        for (String k : p.list("kind")) {
            RecordKind kind = RecordKind.fromWire(k);
            if (kind == null) {
                throw new InvalidInputException("kind must be session_start, event, exception, metric, state, end, "
                        + "crash, hang or recovered (several may be given, comma-separated), got '" + k + "'", "kind");
            }
            kinds.add(kind);
        }
        return page(id, "records", kinds, Set.of(), p);
    }

    private ObjectNode page(String id, String field, Set<RecordKind> kinds, Set<String> levels, QueryParams p) {
        String name = p.text("name", Limits.MAX_NAME_CHARS);
        int limit = p.limit(DEFAULT_LIMIT, MAX_LIMIT);
        String cursor = p.text("cursor", 1024);
        RecordFilter filter = new RecordFilter(kinds, levels, name, cursor == null ? null : Cursors.record(cursor));
        RecordPage page = store.read(tx -> tx.records(session(tx, id).sk(), filter, limit));
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode items = out.putArray(field);
        page.records().forEach(r -> items.add(RecordJson.of(r)));
        if (page.more()) {
            out.put("next_cursor", Cursors.record(page.records().get(page.records().size() - 1).cursor()));
        } else {
            out.putNull("next_cursor");
        }
        return out;
    }

    /** {@code GET /api/sessions/{id}/state}: {@code {"state": {…}}}. */
    public ObjectNode state(String id) {
        SessionRow row = store.read(tx -> session(tx, id));
        ObjectNode out = Json.mapper().createObjectNode();
        out.putRawValue("state", new RawValue(row.state()));
        return out;
    }

    /**
     * {@code GET /api/sessions/{id}/state/history?limit=&cursor=}: each patch in merge order
     * with the full state after it.
     */
    public ObjectNode stateHistory(String id, QueryParams p) {
        int limit = p.limit(HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT);
        String cursor = p.text("cursor", 1024);
        StateKey after = cursor == null ? null : Cursors.state(cursor);
        HistoryPage page = store.read(tx -> StateHistory.page(tx, session(tx, id).sk(), after, limit));
        ObjectNode out = Json.mapper().createObjectNode();
        out.putArray("history").addAll(page.entries());
        if (page.more()) {
            out.put("next_cursor", Cursors.state(page.last()));
        } else {
            out.putNull("next_cursor");
        }
        return out;
    }

    private static SessionRow session(ReadTransaction tx, String id) {
        return tx.session(id).orElseThrow(() -> new SessionNotFoundException(id));
    }
}

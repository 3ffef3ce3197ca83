package io.datacat.server.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Level;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Source;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.RecordCursor;
import io.datacat.server.store.RecordFilter;
import io.datacat.server.store.RecordPage;
import io.datacat.server.store.RecordStream;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.StateKey;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoredRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A session's records, paged in (ts, src, seq) order: its events (with exceptions), its
 * metrics, everything, its timeline; its current state, its state history and the state at
 * any update.
 */
public final class RecordQueries {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1_000;
    public static final int HISTORY_DEFAULT_LIMIT = 50;
    public static final int HISTORY_MAX_LIMIT = 500;
    /** Records read per query while exporting a session, so an export never holds a reader for long. */
    public static final int EXPORT_CHUNK = 1_000;

    private final Store store;

    public RecordQueries(Store store) {
        this.store = store;
    }

    /**
     * {@code GET /api/sessions/{id}/events?level=&name=&from=&to=&limit=&cursor=}: events and
     * exceptions.
     */
    public ObjectNode events(String id, QueryParams p) {
        return page(id, "events", EnumSet.of(RecordKind.EVENT, RecordKind.EXCEPTION), levels(p), p);
    }

    /** {@code GET /api/sessions/{id}/metrics?name=&from=&to=&limit=&cursor=}. */
    public ObjectNode metrics(String id, QueryParams p) {
        return page(id, "metrics", EnumSet.of(RecordKind.METRIC), Set.of(), p);
    }

    /** {@code GET /api/sessions/{id}/records?kind=&limit=&cursor=}: every kind unless {@code kind} lists some. */
    public ObjectNode records(String id, QueryParams p) {
        return page(id, "records", kinds(p), Set.of(), p);
    }

    /**
     * {@code GET /api/sessions/{id}/export?kind=}: every record of the session (of the kinds
     * listed, as in {@link #records}), in the records route's order and shape, one per line. The
     * session and {@code kind} are checked here, and {@code limit} and {@code cursor} refused; writing reads {@value #EXPORT_CHUNK} records
     * per read transaction. Saved as {@code <product>-<first 8 characters of the id>.ndjson}.
     */
    public NdjsonExport export(String id, QueryParams p) {
        p.refusePaging("record of the session");
        Set<RecordKind> kinds = kinds(p);
        SessionRow row = store.read(tx -> session(tx, id));
        String fileName = NdjsonExport.safeFileName(row.product() + "-" + id.substring(0, Math.min(8, id.length()))
                + ".ndjson");
        // Stream by stream, merged as the timeline is: one query over several streams sorts the
        // session's records for every chunk, which made a million-record export take minutes.
        Map<RecordStream, Set<RecordKind>> byStream = new EnumMap<>(RecordStream.class);
        for (RecordKind k : kinds.isEmpty() ? EnumSet.allOf(RecordKind.class) : kinds) {
            byStream.computeIfAbsent(RecordStream.of(k), s -> EnumSet.noneOf(RecordKind.class)).add(k);
        }
        return new NdjsonExport(fileName, lines -> {
            RecordCursor after = null;
            while (true) {
                RecordCursor from = after;
                List<RecordPage> pages = store.read(tx -> {
                    List<RecordPage> out = new ArrayList<>();
                    byStream.forEach((stream, streamKinds) -> out.add(tx.records(row.sk(),
                            new RecordFilter(streamKinds, null, null, null, null, false, from), EXPORT_CHUNK)));
                    return out;
                });
                List<StoredRecord> merged = merge(pages);
                for (StoredRecord r : merged) {
                    lines.write(RecordJson.of(r));
                }
                lines.flush();
                if (merged.isEmpty() || pages.stream().noneMatch(RecordPage::more)) {
                    return;
                }
                after = merged.get(merged.size() - 1).cursor();
            }
        });
    }

    /**
     * {@code GET /api/sessions/{id}/timeline?kind=&level=&name=&notable=&from=&to=&limit=&cursor=}:
     * everything but metrics (unless {@code kind} says otherwise) in time order. Each stream of
     * kinds is read as its own index range and the pages are merged, so a page costs the same
     * in a session of any length. {@code level} and {@code name} apply to events, and leave out
     * the kinds that have neither; {@code notable=true} keeps only exceptions and events of level
     * warning or worse. {@code latest=true} answers the last {@code limit} records instead of
     * the first (still in time order, without a cursor; {@code earlier} says whether there are
     * more before them): the session page's markers and hangs show how a session ended.
     */
    public ObjectNode timeline(String id, QueryParams p) {
        Set<RecordKind> kinds = kinds(p);
        if (kinds.isEmpty()) {
            kinds = EnumSet.complementOf(EnumSet.of(RecordKind.METRIC));
        }
        Set<String> levels = levels(p);
        String name = p.text("name", Limits.MAX_NAME_CHARS);
        boolean notable = p.flag("notable");
        int limit = p.limit(DEFAULT_LIMIT, MAX_LIMIT);
        String cursor = p.text("cursor", 1024);
        boolean latest = p.flag("latest");
        if (latest && cursor != null) {
            throw new InvalidInputException("latest=true reads the last records and takes no cursor", "cursor");
        }
        RecordCursor after = cursor == null ? null : Cursors.record(cursor);
        Long from = p.time("from");
        Long to = p.time("to");
        checkRange(from, to);
        Map<RecordStream, Set<RecordKind>> byStream = new EnumMap<>(RecordStream.class);
        for (RecordKind k : kinds) {
            boolean eventKind = RecordStream.of(k) == RecordStream.EVENTS;
            if (eventKind || (levels.isEmpty() && name == null)) {
                byStream.computeIfAbsent(RecordStream.of(k), s -> EnumSet.noneOf(RecordKind.class)).add(k);
            }
        }
        List<RecordPage> pages = store.read(tx -> {
            long sk = session(tx, id).sk();
            List<RecordPage> out = new ArrayList<>();
            byStream.forEach((stream, streamKinds) -> {
                RecordFilter filter = new RecordFilter(streamKinds, levels, name, from, to,
                        notable && stream == RecordStream.EVENTS, after);
                out.add(latest ? tx.latestRecords(sk, filter, limit) : tx.records(sk, filter, limit));
            });
            return out;
        });
        if (latest) {
            return latestJson(pages, limit);
        }
        List<StoredRecord> merged = merge(pages);
        boolean more = merged.size() > limit || pages.stream().anyMatch(RecordPage::more);
        return pageJson("records", merged.subList(0, Math.min(limit, merged.size())), more);
    }

    /**
     * The records of the pages of several streams, in time order. A stream whose page stopped
     * early (at the limit or the size budget) has unread records after its last one, which may
     * sort before the other streams' records: the merge stops at the earliest such last record,
     * so the next page, which starts after the last record shown, misses none.
     */
    private static List<StoredRecord> merge(List<RecordPage> pages) {
        StoredRecord cut = null;
        for (RecordPage page : pages) {
            if (page.more()) {
                StoredRecord last = page.records().get(page.records().size() - 1);
                if (cut == null || TIME_ORDER.compare(last, cut) < 0) {
                    cut = last;
                }
            }
        }
        List<StoredRecord> merged = new ArrayList<>();
        for (RecordPage page : pages) {
            for (StoredRecord r : page.records()) {
                if (cut == null || TIME_ORDER.compare(r, cut) <= 0) {
                    merged.add(r);
                }
            }
        }
        merged.sort(TIME_ORDER);
        return merged;
    }

    /**
     * The last {@code limit} records of the latest pages of several streams, in time order. A
     * stream whose page stopped early has unread records before its first one: records before
     * the latest such first record are left out, as some of that stream's could fall among them.
     */
    private static ObjectNode latestJson(List<RecordPage> pages, int limit) {
        StoredRecord cut = null;
        for (RecordPage page : pages) {
            if (page.more()) {
                StoredRecord first = page.records().get(0);
                if (cut == null || TIME_ORDER.compare(first, cut) > 0) {
                    cut = first;
                }
            }
        }
        List<StoredRecord> merged = new ArrayList<>();
        for (RecordPage page : pages) {
            for (StoredRecord r : page.records()) {
                if (cut == null || TIME_ORDER.compare(r, cut) >= 0) {
                    merged.add(r);
                }
            }
        }
        merged.sort(TIME_ORDER);
        List<StoredRecord> last = merged.subList(Math.max(0, merged.size() - limit), merged.size());
        ObjectNode out = pageJson("records", last, false);
        out.put("earlier", cut != null || last.size() < merged.size());
        return out;
    }

    private static final Comparator<StoredRecord> TIME_ORDER = Comparator.comparingLong(StoredRecord::ts)
            .thenComparingInt(r -> r.src().code()).thenComparingLong(StoredRecord::seq);

    private ObjectNode page(String id, String field, Set<RecordKind> kinds, Set<String> levels, QueryParams p) {
        String name = p.text("name", Limits.MAX_NAME_CHARS);
        int limit = p.limit(DEFAULT_LIMIT, MAX_LIMIT);
        String cursor = p.text("cursor", 1024);
        Long from = p.time("from");
        Long to = p.time("to");
        checkRange(from, to);
        // Warnings and worse have an index of their own: a session's few errors among a
        // million events are found without reading the others.
        boolean notable = !levels.isEmpty() && NOTABLE_LEVELS.containsAll(levels);
        RecordFilter filter = new RecordFilter(kinds, levels, name, from, to, notable,
                cursor == null ? null : Cursors.record(cursor));
        RecordPage page = store.read(tx -> tx.records(session(tx, id).sk(), filter, limit));
        return pageJson(field, page.records(), page.more());
    }

    private static final Set<String> NOTABLE_LEVELS =
            Set.of(Level.WARNING.wire(), Level.ERROR.wire(), Level.CRITICAL.wire());

    private static ObjectNode pageJson(String field, List<StoredRecord> records, boolean more) {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode items = out.putArray(field);
        records.forEach(r -> items.add(RecordJson.of(r)));
        if (more && !records.isEmpty()) {
            out.put("next_cursor", Cursors.record(records.get(records.size() - 1).cursor()));
        } else {
            out.putNull("next_cursor");
        }
        return out;
    }

    private static Set<String> levels(QueryParams p) {
        Set<String> levels = new LinkedHashSet<>();
        for (String l : p.list("level")) {
            Level level = Level.fromWire(l);
            if (level == null) {
                throw new InvalidInputException("level must be debug, info, warning, error or critical (several may be "
                        + "given, comma-separated), got '" + l + "'", "level");
            }
            levels.add(level.wire());
        }
        return levels;
    }

    private static Set<RecordKind> kinds(QueryParams p) {
        Set<RecordKind> kinds = EnumSet.noneOf(RecordKind.class);
        for (String k : p.list("kind")) {
            RecordKind kind = RecordKind.fromWire(k);
            if (kind == null) {
                throw new InvalidInputException("kind must be session_start, event, exception, metric, state, end, "
                        + "crash, hang or recovered (several may be given, comma-separated), got '" + k + "'", "kind");
            }
            kinds.add(kind);
        }
        return kinds;
    }

    static void checkRange(Long from, Long to) {
        if (from != null && to != null && from >= to) {
            throw new InvalidInputException("from must be earlier than to", "from");
        }
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

    /**
     * {@code GET /api/sessions/{id}/state/at?src=&seq=} (a state update) or {@code ?ts=} (the
     * last update at or before that moment): the whole state right after that update, the
     * update's patch, and what it changed against the state before it.
     */
    public ObjectNode stateAt(String id, QueryParams p) {
        String srcText = p.keyword("src");
        String seqText = p.text("seq", 20);
        Long ts = p.time("ts");
        StateKey target;
        if (srcText != null || seqText != null) {
            Source src = srcText == null ? null : Source.fromWire(srcText);
            if (src == null) {
                throw new InvalidInputException("src must be app, daemon or api (with seq: a state update)", "src");
            }
            target = new StateKey(src, p.positive("seq"));
        } else if (ts == null) {
            throw new InvalidInputException("give src and seq of a state update, or ts (a moment)", "ts");
        } else {
            target = null;
        }
        StateHistory.Moment moment = store.read(tx -> {
            long sk = session(tx, id).sk();
            StateKey key = target != null ? target : tx.lastPatchAtOrBefore(sk, ts).orElse(null);
            return key == null ? null : StateHistory.at(tx, sk, key);
        });
        ObjectNode out = Json.mapper().createObjectNode();
        if (moment == null) {
            if (target != null) {
                throw new NotFoundException("this session has no state update " + target.src().wire() + "/"
                        + target.seq());
            }
            // Before the first update the state is empty.
            out.putNull("update");
            out.putObject("state");
            out.putArray("changes");
            return out;
        }
        out.set("update", RecordJson.of(moment.patchRecord()));
        out.set("state", moment.after());
        ArrayNode changes = StateDiff.changes(moment.before(), moment.after());
        out.set("changes", changes);
        out.put("changes_truncated", changes.size() >= StateDiff.MAX_CHANGES);
        return out;
    }

    private static SessionRow session(ReadTransaction tx, String id) {
        return tx.session(id).orElseThrow(() -> new SessionNotFoundException(id));
    }
}

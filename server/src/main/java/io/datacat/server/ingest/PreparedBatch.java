package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.WireRecord;
import io.datacat.server.store.RecordBodies;
import io.datacat.server.store.StateValue;
import io.datacat.server.store.StateValues;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch with its per-record column values and stored bodies already computed, so the
 * write transaction (which holds the store's single writer) only binds and inserts.
 */
final class PreparedBatch {
    private final List<WireRecord> records;
    private final List<Columns> columns;
    private final Map<String, SessionCounters> counters;
    private final Map<String, Long> firstTs = new LinkedHashMap<>();
    private final Set<String> sessionIds = new LinkedHashSet<>();

    /**
     * What a record adds to the columns of its row, and for a state patch the values it sets
     * (worked out here, before the batch takes the store's single writer).
     */
    record Columns(String name, String level, Double value, String body, List<StateValue> stateValues) {
    }

    private PreparedBatch(List<WireRecord> records, Map<String, SessionCounters> counters) {
        this.records = records;
        this.counters = counters;
        this.columns = new ArrayList<>(records.size());
        RecordBodies.Encoder encoder = new RecordBodies.Encoder();
        for (WireRecord r : records) {
            columns.add(columnsOf(r, encoder));
            firstTs.merge(r.sid(), r.ts(), Math::min);
            sessionIds.add(r.sid());
        }
        sessionIds.addAll(counters.keySet());
    }

    static PreparedBatch of(List<WireRecord> records, Map<String, SessionCounters> counters) {
        return new PreparedBatch(records, counters);
    }

    private static Columns columnsOf(WireRecord r, RecordBodies.Encoder encoder) {
        RecordKind k = r.kind();
        boolean event = k == RecordKind.EVENT || k == RecordKind.EXCEPTION;
        String name = event || k == RecordKind.METRIC ? r.name() : null;
        String level = event ? r.text("level") : null;
        Double value = k == RecordKind.METRIC ? r.number("value", 0) : null;
        List<StateValue> stateValues = k == RecordKind.STATE
                ? StateValues.of((ObjectNode) r.body().get("patch")) : List.of();
        return new Columns(name, level, value, encoder.encode(r.body()), stateValues);
    }

    List<WireRecord> records() {
        return records;
    }

    Columns columns(int i) {
        return columns.get(i);
    }

    Map<String, SessionCounters> counters() {
        return counters;
    }

    /** Every session the batch names, records first, in order of appearance. */
    Set<String> sessionIds() {
        return sessionIds;
    }

    /** The earliest record time of a session in this batch, or null when it has no records here. */
    Long firstTs(String sid) {
        return firstTs.get(sid);
    }
}

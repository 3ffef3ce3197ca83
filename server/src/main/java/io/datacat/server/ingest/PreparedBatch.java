package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.BatchReader;
import io.datacat.protocol.Bytes;
import io.datacat.protocol.Level;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.RecordReader;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.Source;
import io.datacat.protocol.WireRecord;
import io.datacat.server.store.RecordBodies;
import io.datacat.server.store.StateValue;
import io.datacat.server.store.StateValues;
import io.datacat.server.store.StoredRecord;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch with each record's columns and stored body already worked out, so the write
 * transaction (which holds the store's single writer) only binds and inserts.
 */
final class PreparedBatch {
    /** Strings as long as the default body limit, as the tree parser of the other routes allows. */
    private static final BatchReader READER = new BatchReader((int) Limits.DEFAULT_MAX_BODY_BYTES);

    private final List<Prepared> records;
    private final Map<String, SessionCounters> counters;
    /** The earliest record time of each session with records, by index in {@link #sessionIds}. */
    private long[] firstTs = new long[4];
    private final Map<String, Integer> sessionIndex = new LinkedHashMap<>();
    private final List<String> sessionIds = new ArrayList<>();
    /** For each record, the index of its session in {@link #sessionIds}. */
    private final int[] sessionOf;
    /** The sessions with records come first in {@link #sessionIds}; then those with counters only. */
    private int sessionsWithRecords;
    private final Map<String, Set<String>> eventNames = new LinkedHashMap<>();

    /**
     * One record ready to store.
     *
     * @param name        the event, exception or metric name; null for the other kinds
     * @param level       the event or exception level; null for the other kinds
     * @param value       the metric value; null for the other kinds
     * @param body        the stored body: the record without its common fields
     * @param stateValues for a state patch, the values it sets
     * @param tree        the whole record as a tree, for the kinds whose fields change the session
     *                    row; null for events, exceptions and metrics, which only count
     */
    record Prepared(String sid, Source src, long seq, RecordKind kind, long ts, String name, String level,
                    Double value, String body, List<StateValue> stateValues, WireRecord tree)
            implements CommitListener.CommittedRecord {

        @Override
        public StoredRecord record() {
            return new StoredRecord(src, seq, kind, ts, body);
        }
    }

    private PreparedBatch(List<Prepared> records, Map<String, SessionCounters> counters) {
        this.records = records;
        this.counters = counters;
        this.sessionOf = new int[records.size()];
        Set<String> names = null;
        String last = null;
        int session = -1;
        for (int i = 0; i < records.size(); i++) {
            Prepared r = records.get(i);
            // A batch is mostly runs of one session's records: look the session up once per run.
            if (!r.sid().equals(last)) {
                last = r.sid();
                session = sessionIndex.computeIfAbsent(last, sid -> {
                    sessionIds.add(sid);
                    return sessionIds.size() - 1;
                });
                if (session == firstTs.length) {
                    firstTs = Arrays.copyOf(firstTs, session * 2);
                }
                if (session == sessionsWithRecords) {
                    sessionsWithRecords++;
                    firstTs[session] = r.ts();
                }
                names = null;
            }
            sessionOf[i] = session;
            firstTs[session] = Math.min(firstTs[session], r.ts());
            if (r.kind() == RecordKind.EVENT || r.kind() == RecordKind.EXCEPTION) {
                if (names == null) {
                    names = eventNames.computeIfAbsent(last, sid -> new LinkedHashSet<>());
                }
                names.add(r.name());
            }
        }
        for (String sid : counters.keySet()) {
            sessionIndex.computeIfAbsent(sid, k -> {
                sessionIds.add(k);
                return sessionIds.size() - 1;
            });
        }
    }

    /** Prepares records validated as trees (a {@code Batch}, the compatible routes). */
    static PreparedBatch of(List<WireRecord> records, Map<String, SessionCounters> counters) {
        RecordBodies.Encoder encoder = new RecordBodies.Encoder();
        List<Prepared> prepared = new ArrayList<>(records.size());
        for (WireRecord r : records) {
            RecordKind k = r.kind();
            boolean event = k == RecordKind.EVENT || k == RecordKind.EXCEPTION;
            prepared.add(new Prepared(r.sid(), r.src(), r.seq(), k, r.ts(),
                    event || k == RecordKind.METRIC ? r.name() : null, event ? r.text("level") : null,
                    k == RecordKind.METRIC ? r.number("value", 0) : null, encoder.encode(r.body()), stateValues(r), r));
        }
        return new PreparedBatch(prepared, counters);
    }

    /**
     * Reads, validates and prepares a batch body as a stream of tokens (docs/protocol.md,
     * "Batches"): the stored body of each record is its own bytes without the common fields, and
     * only the records that change their session's row become trees.
     *
     * @throws io.datacat.protocol.InvalidInputException for anything the protocol refuses
     */
    static PreparedBatch read(InputStream body) {
        List<Prepared> prepared = new ArrayList<>();
        Bytes bytes = new Bytes(512);
        List<BatchReader.SessionEntry> entries = READER.read(body, r -> prepared.add(prepare(r, bytes)));
        Map<String, SessionCounters> counters = new LinkedHashMap<>();
        for (BatchReader.SessionEntry e : entries) {
            counters.put(e.sid(), e.counters());
        }
        return new PreparedBatch(prepared, counters);
    }

    private static Prepared prepare(RecordReader r, Bytes bytes) {
        bytes.reset();
        r.writeBodyTo(bytes);
        RecordKind k = r.kind();
        boolean counted = k == RecordKind.EVENT || k == RecordKind.EXCEPTION || k == RecordKind.METRIC;
        WireRecord tree = counted ? null : r.toWireRecord();
        Level level = r.level();
        return new Prepared(r.sid(), r.src(), r.seq(), k, r.ts(), r.name(), level == null ? null : level.wire(),
                k == RecordKind.METRIC ? r.value() : null, bytes.toString(),
                tree == null ? List.of() : stateValues(tree), tree);
    }

    private static List<StateValue> stateValues(WireRecord r) {
        return r.kind() == RecordKind.STATE ? StateValues.of((ObjectNode) r.body().get("patch")) : List.of();
    }

    List<Prepared> records() {
        return records;
    }

    Map<String, SessionCounters> counters() {
        return counters;
    }

    /** Every session the batch names, records first, in order of appearance. */
    List<String> sessionIds() {
        return sessionIds;
    }

    /** The index in {@link #sessionIds()} of record {@code i}'s session. */
    int sessionOf(int i) {
        return sessionOf[i];
    }

    /**
     * The distinct event and exception names of each session's records, duplicates included:
     * a duplicate's name was stored with the record it repeats, so storing it again changes nothing.
     */
    Map<String, Set<String>> eventNames() {
        return eventNames;
    }

    /** The earliest record time of session {@code session} in this batch, or null when it has no records here. */
    Long firstTs(int session) {
        return session < sessionsWithRecords ? firstTs[session] : null;
    }
}

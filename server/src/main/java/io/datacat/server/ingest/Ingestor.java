package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Batch;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.RecordValidator;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.Source;
import io.datacat.protocol.Timestamps;
import io.datacat.protocol.WireRecord;
import io.datacat.server.store.RecordRow;
import io.datacat.server.store.SessionNotFoundException;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.Store;
import io.datacat.server.store.WriteTransaction;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Stores validated records exactly once and applies their effects on their sessions, one
 * batch per transaction. Each record is inserted under its identity (session, src, seq);
 * only a record that was not stored before has effects, so replaying a batch, also after a
 * restart, changes nothing. The compatible single-record routes come through here too.
 */
public final class Ingestor {
    private final Store store;
    private final LongSupplier clock;

    /** @param clock the server's time in microseconds (last_seen, server-made records) */
    public Ingestor(Store store, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
    }

    public Ingestor(Store store) {
        this(store, Timestamps::nowMicros);
    }

    /** Stores a batch; returns once the transaction has committed. */
    public IngestResult ingest(Batch batch) {
        PreparedBatch prepared = PreparedBatch.of(batch.records(), batch.sessions());
        return store.write(tx -> apply(tx, prepared));
    }

    /**
     * Creates a session through the compatible route: a {@code session_start} with
     * {@code src=api} under a new random id.
     *
     * @param start the session_start fields (product, version, optional machine_id, hostname)
     * @return the new session id
     */
    public String createSession(ObjectNode start) {
        String sid = UUID.randomUUID().toString();
        WireRecord record = validate(sid, new ApiRecord(RecordKind.SESSION_START, null, start));
        PreparedBatch prepared = PreparedBatch.of(List.of(record), Map.of());
        store.write(tx -> apply(tx, prepared));
        return sid;
    }

    /**
     * Appends a record to an existing session with {@code src=api} and the next seq of that
     * space, which is taken inside the transaction so concurrent requests never share one.
     *
     * @throws SessionNotFoundException when the session does not exist
     */
    public void append(String sid, ApiRecord apiRecord) {
        // Validate before taking the writer; the real seq only changes the identity.
        WireRecord draft = validate(sid, apiRecord);
        store.write(tx -> {
            SessionRow row = tx.session(sid).orElseThrow(() -> new SessionNotFoundException(sid));
            long seq = tx.lastSeq(row.sk(), Source.API) + 1;
            ObjectNode body = draft.body().deepCopy().put("seq", seq);
            WireRecord record = new WireRecord(sid, Source.API, seq, draft.kind(), draft.ts(), body);
            return apply(tx, PreparedBatch.of(List.of(record), Map.of()));
        });
    }

    /**
     * Records a heartbeat received by the compatible route: last_heartbeat and last_seen
     * become the server's time.
     *
     * @throws SessionNotFoundException when the session does not exist
     */
    public void heartbeat(String sid) {
        store.write(tx -> {
            tx.session(sid).orElseThrow(() -> new SessionNotFoundException(sid));
            SessionCounters beat = new SessionCounters(0, 0, clock.getAsLong());
            return apply(tx, PreparedBatch.of(List.of(), Map.of(sid, beat)));
        });
    }

    /** Validates an api record as the first of its space; {@link #append} gives it its real seq. */
    private WireRecord validate(String sid, ApiRecord r) {
        ObjectNode body = r.fields().deepCopy();
        body.put("sid", sid);
        body.put("src", Source.API.wire());
        body.put("seq", 1);
        body.put("kind", r.kind().wire());
        body.put("ts", r.ts() == null ? clock.getAsLong() : r.ts());
        return RecordValidator.validate(body, "body");
    }

    private IngestResult apply(WriteTransaction tx, PreparedBatch batch) {
        long now = clock.getAsLong();
        Map<String, SessionRow> stored = tx.sessions(batch.sessionIds());
        Map<String, SessionChange> changes = new LinkedHashMap<>();
        for (String sid : batch.sessionIds()) {
            SessionRow row = stored.get(sid);
            if (row == null) {
                Long firstTs = batch.firstTs(sid);
                if (firstTs == null) {
                    continue; // counters alone do not make a session; they are resent with its records
                }
                row = tx.insertSession(SessionRow.placeholder(sid, firstTs, now).build());
            }
            SessionChange change = new SessionChange(row);
            change.contact(now);
            changes.put(sid, change);
        }

        List<WireRecord> records = batch.records();
        List<RecordRow> rows = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            WireRecord r = records.get(i);
            PreparedBatch.Columns c = batch.columns(i);
            rows.add(new RecordRow(changes.get(r.sid()).sk(), r.src(), r.seq(), r.kind(), r.ts(), c.name(), c.level(),
                    c.value(), c.body()));
        }
        boolean[] inserted = tx.insertRecords(rows);
        int accepted = 0;
        for (int i = 0; i < inserted.length; i++) {
            if (inserted[i]) {
                accepted++;
                WireRecord r = records.get(i);
                changes.get(r.sid()).apply(r);
            }
        }

        batch.counters().forEach((sid, c) -> {
            SessionChange change = changes.get(sid);
            if (change != null) {
                change.counters(c);
            }
        });
        for (SessionChange change : changes.values()) {
            change.mergeState(tx);
            tx.updateSession(change.build());
        }
        return new IngestResult(accepted, records.size() - accepted);
    }
}

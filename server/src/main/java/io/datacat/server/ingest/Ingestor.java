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
import io.datacat.server.store.StateValue;
import io.datacat.server.store.Store;
import io.datacat.server.store.WriteTransaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Stores validated records exactly once and applies their effects on their sessions, one
 * batch per transaction. Each record is inserted under its identity (session, src, seq);
 * only a record that was not stored before has effects, so replaying a batch, also after a
 * restart, changes nothing. The compatible single-record routes come through here too.
 */
public final class Ingestor {
    private static final Logger LOG = LoggerFactory.getLogger(Ingestor.class);

    private final Store store;
    private final LongSupplier clock;
    private final CommitListener listener;

    /**
     * @param clock    the server's time in microseconds (last_seen, server-made records)
     * @param listener told what each write stored, once it has committed
     */
    public Ingestor(Store store, LongSupplier clock, CommitListener listener) {
        this.store = store;
        this.clock = clock;
        this.listener = listener;
    }

    public Ingestor(Store store, LongSupplier clock) {
        this(store, clock, CommitListener.NONE);
    }

    public Ingestor(Store store) {
        this(store, Timestamps::nowMicros);
    }

    /** What one write did, and what the listener hears of it. */
    private record Applied(IngestResult result, CommitListener.Committed committed) {
    }

    /** Stores a batch; returns once the transaction has committed. */
    public IngestResult ingest(Batch batch) {
        return write(PreparedBatch.of(batch.records(), batch.sessions()));
    }

    /**
     * Validates and stores a batch body ({@code POST /api/ingest}), read as a stream of tokens
     * without a JSON tree; returns once the transaction has committed.
     *
     * @param body the request body, inflated and bounded by the caller
     * @throws io.datacat.protocol.InvalidInputException when any part of the batch is invalid; nothing is stored
     */
    public IngestResult ingest(InputStream body) {
        return write(PreparedBatch.read(body));
    }

    private IngestResult write(PreparedBatch prepared) {
        Applied applied = store.write(tx -> apply(tx, prepared));
        tell(applied);
        return applied.result();
    }

    /** The write has committed: a failing listener must not turn it into an error that a daemon would retry. */
    private void tell(Applied applied) {
        try {
            listener.committed(applied.committed());
        } catch (RuntimeException e) {
            LOG.error("a commit listener failed", e);
        }
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
        write(PreparedBatch.of(List.of(record), Map.of()));
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
        Applied applied = store.write(tx -> {
            SessionRow row = tx.session(sid).orElseThrow(() -> new SessionNotFoundException(sid));
            long seq = tx.lastSeq(row.sk(), Source.API) + 1;
            ObjectNode body = draft.body().deepCopy().put("seq", seq);
            WireRecord record = new WireRecord(sid, Source.API, seq, draft.kind(), draft.ts(), body);
            return apply(tx, PreparedBatch.of(List.of(record), Map.of()));
        });
        tell(applied);
    }

    /**
     * Records a heartbeat received by the compatible route: last_heartbeat and last_seen
     * become the server's time.
     *
     * @throws SessionNotFoundException when the session does not exist
     */
    public void heartbeat(String sid) {
        Applied applied = store.write(tx -> {
            tx.session(sid).orElseThrow(() -> new SessionNotFoundException(sid));
            SessionCounters beat = new SessionCounters(0, 0, clock.getAsLong());
            return apply(tx, PreparedBatch.of(List.of(), Map.of(sid, beat)));
        });
        tell(applied);
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

    private Applied apply(WriteTransaction tx, PreparedBatch batch) {
        long now = clock.getAsLong();
        List<String> ids = batch.sessionIds();
        Map<String, SessionRow> stored = tx.sessions(ids);
        Map<String, SessionChange> changes = new LinkedHashMap<>();
        SessionChange[] bySession = new SessionChange[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            String sid = ids.get(i);
            SessionRow row = stored.get(sid);
            if (row == null) {
                Long firstTs = batch.firstTs(i);
                if (firstTs == null) {
                    continue; // counters alone do not make a session; they are resent with its records
                }
                row = tx.insertSession(SessionRow.placeholder(sid, firstTs, now).build());
            }
            SessionChange change = new SessionChange(row);
            change.contact(now);
            changes.put(sid, change);
            bySession[i] = change;
        }

        List<PreparedBatch.Prepared> records = batch.records();
        List<RecordRow> rows = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            PreparedBatch.Prepared r = records.get(i);
            rows.add(new RecordRow(bySession[batch.sessionOf(i)].sk(), r.src(), r.seq(), r.kind(), r.ts(), r.name(),
                    r.level(), r.value(), r.body()));
        }
        boolean[] inserted = tx.insertRecords(rows);
        List<CommitListener.CommittedRecord> added = new ArrayList<>(records.size());
        Map<Long, Set<StateValue>> stateValues = new LinkedHashMap<>();
        for (int i = 0; i < inserted.length; i++) {
            if (inserted[i]) {
                PreparedBatch.Prepared r = records.get(i);
                added.add(r);
                SessionChange change = bySession[batch.sessionOf(i)];
                change.apply(r);
                if (!r.stateValues().isEmpty()) {
                    stateValues.computeIfAbsent(change.sk(), sk -> new LinkedHashSet<>()).addAll(r.stateValues());
                }
            }
        }
        stateValues.forEach(tx::insertStateValues);
        batch.eventNames().forEach((sid, names) -> tx.insertEventNames(changes.get(sid).sk(), names));

        batch.counters().forEach((sid, c) -> {
            SessionChange change = changes.get(sid);
            if (change != null) {
                change.counters(c);
            }
        });
        List<SessionRow> sessions = new ArrayList<>(changes.size());
        for (SessionChange change : changes.values()) {
            change.mergeState(tx);
            SessionRow row = change.build();
            tx.updateSession(row);
            sessions.add(row);
        }
        return new Applied(new IngestResult(added.size(), records.size() - added.size()),
                new CommitListener.Committed(added, sessions));
    }
}

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
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Stores validated records exactly once and applies their effects on their sessions, one
 * batch per transaction. Each record is inserted under its identity (session, src, seq);
 * only a record that was not stored before has effects, so replaying a batch, also after a
 * restart, changes nothing. The compatible single-record routes come through here too.
 */
public final class Ingestor {
    private static final Logger LOG = LoggerFactory.getLogger(Ingestor.class);

    /** The most records one group commit stores: a transaction's size stays that of a few batches. */
    static final int MAX_GROUP_RECORDS = 20_000;

    private final Store store;
    private final LongSupplier clock;
    private final CommitListener listener;
    private final Queue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    private final RequestOrder order = new RequestOrder();

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
        return writeGrouped(PreparedBatch.read(body));
    }

    /**
     * Like {@link #ingest(InputStream)}, for a request numbered in its sender's stream: it is
     * read at once, and stored only after the stream's previous request committed.
     *
     * @param body   opens the request body (inflated and bounded); a failure to open it counts
     *               as the request not stored, so the stream's next request is refused at once
     * @param ticket its place in the stream, or null for a request stored as it comes
     * @throws OutOfOrderException when the previous request failed or did not come in time
     */
    public IngestResult ingest(Supplier<InputStream> body, RequestOrder.Ticket ticket) {
        if (ticket == null || !keepsRequestOrder()) {
            return ingest(body.get());
        }
        order.arrived(ticket);
        boolean stored = false;
        try {
            PreparedBatch batch = PreparedBatch.read(body.get());
            order.awaitTurn(ticket);
            IngestResult result = writeGrouped(batch);
            stored = true;
            return result;
        } finally {
            order.finished(ticket, stored);
        }
    }

    /**
     * Whether this server offers numbered requests ({@link RequestOrder}). Not when other
     * servers write to the same database: the numbering lives in one server's memory, and a
     * sender's next request may reach another server, which would wait for a request it never
     * gets. Senders then keep one request in flight, which any server may take.
     */
    public boolean keepsRequestOrder() {
        return !store.sharedByServers();
    }

    private IngestResult write(PreparedBatch prepared) {
        Applied applied = store.write(tx -> apply(tx, prepared));
        tell(applied);
        return applied.result();
    }

    /** A batch waiting for the writer, and what became of it. */
    private static final class Waiting {
        final PreparedBatch batch;
        /** Completed once committed; with null when its group failed and it must be written alone. */
        final CompletableFuture<Applied> done = new CompletableFuture<>();
        /**
         * Claimed exactly once: by the group that stores the batch (its future then completes),
         * or by its own request when the store failed before any group took it.
         */
        final AtomicBoolean claimed = new AtomicBoolean();
        Applied applied;

        Waiting(PreparedBatch batch) {
            this.batch = batch;
        }
    }

    /**
     * Group commit: the request that gets the writer stores every batch waiting by then (up to
     * {@link #MAX_GROUP_RECORDS} records) in one transaction, so concurrent requests share the
     * commit and the session updates, the writer's cost per transaction. Each batch is still
     * applied on its own, in arrival order, and each request returns once its batch committed.
     * When a group fails, nothing of it is stored and each batch is written again alone, so a
     * request fails only for its own batch.
     */
    private IngestResult writeGrouped(PreparedBatch prepared) {
        Waiting mine = new Waiting(prepared);
        waiting.add(mine);
        while (!mine.claimed.get()) {
            List<Waiting> group = new ArrayList<>();
            boolean failed = false;
            try {
                store.write(tx -> {
                    takeGroup(group);
                    for (Waiting w : group) {
                        w.applied = apply(tx, w.batch);
                    }
                    return null;
                });
            } catch (RuntimeException | Error e) {
                if (group.isEmpty()) {
                    // The store failed before taking anything (closed, unavailable): this
                    // request gets that error, unless a group has claimed its batch by now.
                    if (mine.claimed.compareAndSet(false, true)) {
                        waiting.remove(mine);
                        throw e;
                    }
                    break;
                }
                failed = true;
            }
            finish(group, failed);
        }
        Applied applied = mine.done.join();
        if (applied == null) {
            return write(prepared);
        }
        return applied.result();
    }

    /**
     * Takes the waiting batches in arrival order, at least one, up to {@link #MAX_GROUP_RECORDS}
     * records, skipping any that its own request claimed meanwhile. Runs under the writer's lock.
     */
    private void takeGroup(List<Waiting> group) {
        int records = 0;
        for (Waiting w = waiting.peek(); w != null; w = waiting.peek()) {
            int size = w.batch.records().size();
            if (!group.isEmpty() && records + size > MAX_GROUP_RECORDS) {
                return;
            }
            if (waiting.remove(w) && w.claimed.compareAndSet(false, true)) {
                group.add(w);
                records += size;
            }
        }
    }

    /** Tells the listener what a group stored, and answers every request of the group whatever happens. */
    private void finish(List<Waiting> group, boolean failed) {
        try {
            if (!failed) {
                group.forEach(w -> tell(w.applied));
            }
        } finally {
            group.forEach(w -> w.done.complete(failed ? null : w.applied));
        }
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

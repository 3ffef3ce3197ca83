package io.datacat.server.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.DeepMerge;
import io.datacat.protocol.Json;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.WireRecord;
import io.datacat.server.store.RecordBodies;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.SessionStatus;
import io.datacat.server.store.StateKey;
import io.datacat.server.store.StateSnapshot;
import io.datacat.server.store.WriteTransaction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The effects of one batch on one session, gathered record by record and written as one
 * row update at the end (the status model of DESIGN section 4 and docs/architecture.md).
 */
final class SessionChange {
    /** Event names that compatible clients use for hang reports. */
    private static final String COMPAT_HUNG_EVENT = "application_appears_hung";
    private static final String COMPAT_RECOVERED_EVENT = "application_recovered";

    /**
     * Patches between two stored snapshots: the state at any moment is read as the snapshot
     * before it plus fewer patches than this.
     */
    static final int SNAPSHOT_EVERY = 128;

    private final SessionRow.Builder row;
    private final List<WireRecord> newPatches = new ArrayList<>();

    SessionChange(SessionRow existing) {
        this.row = existing.toBuilder();
    }

    long sk() {
        return row.sk();
    }

    /**
     * The session was heard from: its last_seen moves to now, and an {@code abnormal}
     * session (a guess made from silence) is active again.
     */
    void contact(long now) {
        row.lastSeen(now);
        if (row.status() == SessionStatus.ABNORMAL) {
            row.status(SessionStatus.ACTIVE).endedAt(null);
        }
    }

    void counters(SessionCounters c) {
        row.counters(row.counters().max(c));
    }

    /** Applies a record that was newly stored (never a duplicate). */
    void apply(PreparedBatch.Prepared r) {
        row.counts(row.counts().plus(r.kind()));
        switch (r.kind()) {
            case SESSION_START -> start(r.tree());
            case END -> end(r.tree());
            case CRASH -> crash(r.tree());
            case HANG -> hang();
            case RECOVERED -> recovered();
            case STATE -> newPatches.add(r.tree());
            case EVENT, EXCEPTION -> {
                String name = r.name();
                if (COMPAT_HUNG_EVENT.equals(name)) {
                    hang();
                } else if (COMPAT_RECOVERED_EVENT.equals(name)) {
                    recovered();
                }
            }
            case METRIC -> {
                // counted above; metrics change nothing else on the session
            }
        }
    }

    private void start(WireRecord r) {
        // The first session_start wins; a placeholder waits for it.
        if (row.isPlaceholder()) {
            long pid = r.integer("pid", -1);
            row.started(r.text("product"), r.text("version"), r.text("hostname"), r.text("machine_id"),
                    pid < 0 ? null : pid, r.text("client"), r.ts());
        }
    }

    private void end(WireRecord r) {
        if (!row.status().isFinal()) {
            // A clean end means the program ran on, so it is no longer hung.
            row.status(SessionStatus.ENDED).endedAt(r.ts()).hung(false);
        }
    }

    private void crash(WireRecord r) {
        if (row.status().isFinal()) {
            return;
        }
        ObjectNode detail = Json.mapper().createObjectNode();
        String message = r.text("message");
        if (message != null) {
            detail.put("message", message);
        }
        JsonNode extra = r.body().get("detail");
        if (extra instanceof ObjectNode obj) {
            detail.setAll(obj);
        }
        row.status(SessionStatus.CRASHED).endedAt(r.ts())
                .crash(r.text("reason"), detail.isEmpty() ? null : RecordBodies.toText(detail));
    }

    /** A hang report that arrives after the session ended or crashed is stale: the flag stays as it was. */
    private void hang() {
        if (!row.status().isFinal()) {
            row.hung(true).hangCount(row.hangCount() + 1);
        }
    }

    private void recovered() {
        if (!row.status().isFinal()) {
            row.hung(false);
        }
    }

    /**
     * Merges the new state patches in (src, seq) order, and stores the state after every
     * {@value #SNAPSHOT_EVERY}-th patch. When one sorts before the last patch already merged
     * (out-of-order delivery), the state and its snapshots are rebuilt from every stored
     * patch, which the transaction already holds, new ones included.
     */
    void mergeState(WriteTransaction tx) {
        if (newPatches.isEmpty()) {
            return;
        }
        newPatches.sort(Comparator.comparing(SessionChange::key));
        StateKey applied = row.stateKey();
        ObjectNode state;
        StateKey last;
        List<StateSnapshot> snapshots = new ArrayList<>();
        if (applied != null && key(newPatches.get(0)).compareTo(applied) < 0) {
            tx.deleteSnapshots(sk());
            ObjectNode rebuilt = Json.mapper().createObjectNode();
            StateKey[] lastSeen = {null};
            long[] merged = {0};
            tx.forEachStatePatch(sk(), null, null, rec -> {
                DeepMerge.apply(rebuilt, (ObjectNode) RecordBodies.decode(rec.body()).get("patch"));
                lastSeen[0] = new StateKey(rec.src(), rec.seq());
                if (++merged[0] % SNAPSHOT_EVERY == 0) {
                    snapshots.add(new StateSnapshot(lastSeen[0], RecordBodies.toText(rebuilt)));
                }
                return true;
            });
            state = rebuilt;
            last = lastSeen[0];
        } else {
            state = RecordBodies.decode(row.state());
            long merged = row.counts().states() - newPatches.size(); // before this batch
            for (WireRecord p : newPatches) {
                DeepMerge.apply(state, (ObjectNode) p.body().get("patch"));
                if (++merged % SNAPSHOT_EVERY == 0) {
                    snapshots.add(new StateSnapshot(key(p), RecordBodies.toText(state)));
                }
            }
            last = key(newPatches.get(newPatches.size() - 1));
        }
        for (StateSnapshot snapshot : snapshots) {
            tx.insertSnapshot(sk(), snapshot.key(), snapshot.state());
        }
        row.state(RecordBodies.toText(state), last);
    }

    private static StateKey key(WireRecord r) {
        return new StateKey(r.src(), r.seq());
    }

    SessionRow build() {
        return row.build();
    }
}

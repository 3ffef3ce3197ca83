package io.datacat.server.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.datacat.protocol.DeepMerge;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;
import io.datacat.server.store.ReadTransaction;
import io.datacat.server.store.RecordBodies;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.StateKey;
import io.datacat.server.store.StateSnapshot;
import io.datacat.server.store.StoredRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The state after each patch, rebuilt by replaying a session's kept patches in merge order.
 * Only patches and a snapshot every 128 patches are stored (a full copy per update would grow
 * with the square of the state), so a read starts from the snapshot before the first patch
 * it needs.
 */
final class StateHistory {
    private StateHistory() {
    }

    /** The state right before and right after one patch. */
    record Moment(StoredRecord patchRecord, ObjectNode patch, ObjectNode before, ObjectNode after) {
    }

    /**
     * The state around patch {@code target}: the snapshot before it plus the patches up to it,
     * so the cost is bounded however many patches the session has. Null when the session has
     * no such patch.
     */
    static Moment at(ReadTransaction tx, long sk, StateKey target) {
        Optional<StateSnapshot> snapshot = tx.snapshotBefore(sk, target, false);
        ObjectNode state = snapshot.map(s -> RecordBodies.decode(s.state()))
                .orElseGet(() -> Json.mapper().createObjectNode());
        ObjectNode[] before = {null};
        StoredRecord[] found = {null};
        tx.forEachStatePatch(sk, snapshot.map(StateSnapshot::key).orElse(null), target, rec -> {
            if (rec.src() == target.src() && rec.seq() == target.seq()) {
                before[0] = state.deepCopy();
                found[0] = rec;
            }
            DeepMerge.apply(state, patchOf(rec));
            return true;
        });
        return found[0] == null ? null : new Moment(found[0], patchOf(found[0]), before[0], state);
    }

    /**
     * Up to {@code limit} entries after {@code after} (null: from the first), with their
     * patches. Replays from the last snapshot at or before {@code after}.
     */
    static HistoryPage page(ReadTransaction tx, long sk, StateKey after, int limit) {
        Optional<StateSnapshot> start = after == null ? Optional.empty() : tx.snapshotBefore(sk, after, true);
        ObjectNode state = start.map(s -> RecordBodies.decode(s.state()))
                .orElseGet(() -> Json.mapper().createObjectNode());
        List<ObjectNode> entries = new ArrayList<>();
        long[] chars = {0};
        boolean[] more = {false};
        StateKey[] last = {null};
        tx.forEachStatePatch(sk, start.map(StateSnapshot::key).orElse(null), null, rec -> {
            ObjectNode patch = patchOf(rec);
            DeepMerge.apply(state, patch);
            StateKey key = new StateKey(rec.src(), rec.seq());
            if (after != null && key.compareTo(after) <= 0) {
                return true;
            }
            if (entries.size() == limit || chars[0] > ReadTransaction.PAGE_BODY_BUDGET_CHARS) {
                more[0] = true;
                return false;
            }
            String snapshot = RecordBodies.toText(state);
            chars[0] += snapshot.length();
            ObjectNode e = entry(rec, snapshot);
            e.set("patch", patch);
            entries.add(e);
            last[0] = key;
            return true;
        });
        return new HistoryPage(entries, last[0], more[0]);
    }

    /**
     * The last {@code limit} entries (fewer when their states are large), for the compatible
     * session JSON's {@code state_history}.
     */
    static HistoryPage latest(ReadTransaction tx, SessionRow row, int limit) {
        long skip = Math.max(0, row.counts().states() - limit);
        ObjectNode state = Json.mapper().createObjectNode();
        Deque<ObjectNode> kept = new ArrayDeque<>();
        Deque<Integer> sizes = new ArrayDeque<>();
        long[] seen = {0};
        long[] chars = {0};
        boolean[] dropped = {false};
        tx.forEachStatePatch(row.sk(), null, null, rec -> {
            DeepMerge.apply(state, patchOf(rec));
            if (seen[0]++ < skip) {
                return true;
            }
            String snapshot = RecordBodies.toText(state);
            kept.addLast(entry(rec, snapshot));
            sizes.addLast(snapshot.length());
            chars[0] += snapshot.length();
            while (kept.size() > limit || (chars[0] > ReadTransaction.PAGE_BODY_BUDGET_CHARS && kept.size() > 1)) {
                kept.removeFirst();
                chars[0] -= sizes.removeFirst();
                dropped[0] = true;
            }
            return true;
        });
        return new HistoryPage(new ArrayList<>(kept), null, skip > 0 || dropped[0]);
    }

    private static ObjectNode patchOf(StoredRecord rec) {
        return (ObjectNode) RecordBodies.decode(rec.body()).get("patch");
    }

    private static ObjectNode entry(StoredRecord rec, String snapshot) {
        ObjectNode e = Json.mapper().createObjectNode();
        e.put("seq", rec.seq());
        e.put("src", rec.src().wire());
        e.put("ts", rec.ts());
        e.put("timestamp", Timestamps.format(rec.ts()));
        e.putRawValue("state", new RawValue(snapshot));
        return e;
    }
}

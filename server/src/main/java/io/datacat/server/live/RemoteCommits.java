package io.datacat.server.live;

import io.datacat.server.ingest.CommitListener;
import io.datacat.server.store.RemoteChange;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoredRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Brings what the other servers sharing the database store to this server's live watchers:
 * for each changed session someone watches here, reads the session and the new records and
 * hands them to the {@link LiveFeed} as if this server had stored them. Sessions nobody
 * watches here cost nothing.
 */
public final class RemoteCommits implements Consumer<List<RemoteChange>> {
    private final Store store;
    private final LiveFeed live;

    public RemoteCommits(Store store, LiveFeed live) {
        this.store = store;
        this.live = live;
    }

    @Override
    public void accept(List<RemoteChange> changes) {
        Map<String, List<RemoteChange>> watched = new LinkedHashMap<>();
        for (RemoteChange c : changes) {
            if (live.isWatched(c.sid())) {
                watched.computeIfAbsent(c.sid(), k -> new ArrayList<>()).add(c);
            }
        }
        watched.forEach((sid, ofSession) -> store.read(tx -> {
            Optional<SessionRow> row = tx.session(sid);
            if (row.isEmpty()) {
                return null; // deleted since (retention)
            }
            List<CommitListener.CommittedRecord> records = new ArrayList<>();
            // One more than an event carries: the feed then says how many to read with the query routes.
            int budget = LiveFeed.MAX_RECORDS_PER_EVENT + 1;
            for (RemoteChange c : ofSession) {
                if (c.hasRecords() && records.size() < budget) {
                    for (StoredRecord r : tx.recordsBetween(row.get().sk(), c, budget - records.size())) {
                        records.add(new Stored(sid, r));
                    }
                }
            }
            live.committed(new CommitListener.Committed(records, List.of(row.get())));
            return null;
        }));
    }

    private record Stored(String sid, StoredRecord record) implements CommitListener.CommittedRecord {
    }
}

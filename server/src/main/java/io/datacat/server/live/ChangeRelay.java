package io.datacat.server.live;

import io.datacat.server.ingest.CommitListener;
import io.datacat.server.store.ChangeListener;
import io.datacat.server.store.StoreChange;
import io.datacat.server.store.SessionRow;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoredRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live pages of servers that share a database: every server's writes (this one's
 * included) reach them through the store's notifications, in commit order, so a page sees the
 * same records in the same order whichever server stored them. For each changed session
 * someone watches here, reads the session and the records the write stored and hands them to
 * the {@link LiveFeed}; sessions nobody watches here cost nothing. When the store may have
 * missed some writes, every page watching here is told to read again.
 */
public final class ChangeRelay implements ChangeListener {
    private final Store store;
    private final LiveFeed live;

    public ChangeRelay(Store store, LiveFeed live) {
        this.store = store;
        this.live = live;
    }

    @Override
    public void mayHaveMissed() {
        live.missed();
        // The summaries too: a session may have ended, crashed or hung meanwhile.
        for (String sid : live.watchedSessions()) {
            store.read(tx -> {
                tx.session(sid).ifPresent(row -> live.stored(row, List.of(), 0));
                return null;
            });
        }
    }

    @Override
    public void changed(List<StoreChange> changes) {
        Map<String, List<StoreChange>> watched = new LinkedHashMap<>();
        for (StoreChange c : changes) {
            if (live.isWatched(c.sid())) {
                watched.computeIfAbsent(c.sid(), k -> new ArrayList<>()).add(c);
            }
        }
        watched.forEach((sid, ofSession) -> store.read(tx -> {
            Optional<SessionRow> row = tx.session(sid);
            if (row.isEmpty()) {
                return null; // deleted since (retention)
            }
            long stored = ofSession.stream().mapToLong(StoreChange::records).sum();
            List<CommitListener.CommittedRecord> records = new ArrayList<>();
            if (stored <= LiveFeed.MAX_RECORDS_PER_EVENT) {
                for (StoreChange c : ofSession) {
                    if (c.hasRecords()) {
                        for (StoredRecord r : tx.recordsBetween(row.get().sk(), c, LiveFeed.MAX_RECORDS_PER_EVENT)) {
                            records.add(new Stored(sid, r));
                        }
                    }
                }
                records.sort(Comparator.comparingLong((CommitListener.CommittedRecord r) -> r.record().ts())
                        .thenComparingInt(r -> r.record().src().code()).thenComparingLong(r -> r.record().seq()));
            }
            live.stored(row.get(), records, stored);
            return null;
        }));
    }

    private record Stored(String sid, StoredRecord record) implements CommitListener.CommittedRecord {
    }
}

package io.datacat.server.ingest;

import io.datacat.server.store.SessionRow;
import io.datacat.server.store.StoredRecord;

import java.util.List;

/**
 * Told what each write stored, right after its transaction committed, on the thread that
 * wrote it: it must return quickly and never throw.
 */
@FunctionalInterface
public interface CommitListener {
    CommitListener NONE = committed -> { };

    void committed(Committed committed);

    /** A record as stored, with the id of its session. */
    interface CommittedRecord {
        String sid();

        StoredRecord record();
    }

    /**
     * @param records  the records newly stored (duplicates left out), in the order received
     * @param sessions every session the write touched, as it is now
     */
    record Committed(List<CommittedRecord> records, List<SessionRow> sessions) {
        public Committed {
            records = List.copyOf(records);
            sessions = List.copyOf(sessions);
        }
    }
}

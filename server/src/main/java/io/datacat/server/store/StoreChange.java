package io.datacat.server.store;

import io.datacat.protocol.Source;

/**
 * What a committed write changed, as told to every server sharing the database: a session,
 * and one run of consecutive seqs of one of its sequence spaces that the write stored (all of
 * them new), with the times of those records; or, when {@code src} is null, the session's row
 * alone.
 */
public record StoreChange(String sid, Source src, long fromSeq, long toSeq, long fromTs, long toTs) {

    /** The session's row changed (its status, say) and no record was stored with it. */
    public static StoreChange sessionOnly(String sid) {
        return new StoreChange(sid, null, 0, 0, 0, 0);
    }

    public boolean hasRecords() {
        return src != null;
    }

    /** How many records the write stored in this run. */
    public long records() {
        return hasRecords() ? toSeq - fromSeq + 1 : 0;
    }
}

package io.datacat.server.store;

import io.datacat.protocol.Source;

/**
 * What another server's write changed in a store that several servers share: a session, and
 * the records it stored of one of its sequence spaces, within these seqs and times (or none,
 * when {@code src} is null: the session's row alone changed).
 */
public record RemoteChange(String sid, Source src, long fromSeq, long toSeq, long fromTs, long toTs) {

    /** The session's row changed (its status, say) and no record was stored with it. */
    public static RemoteChange sessionOnly(String sid) {
        return new RemoteChange(sid, null, 0, 0, 0, 0);
    }

    public boolean hasRecords() {
        return src != null;
    }
}

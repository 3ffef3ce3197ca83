package io.datacat.server.store;

/**
 * What the sessions list shows. Null fields do not filter.
 *
 * @param status      one status, or null
 * @param hungOnly    only sessions whose hung flag is set
 * @param createdFrom created_at at or after (µs)
 * @param createdTo   created_at before (µs)
 * @param eventName   only sessions that logged an event or exception of this name
 * @param after       the page starts after this position (null: from the newest)
 */
public record SessionFilter(String product, String version, SessionStatus status, boolean hungOnly, Long createdFrom,
                            Long createdTo, String eventName, SessionCursor after) {

    /** Every session, newest first. */
    public static final SessionFilter ALL = new SessionFilter(null, null, null, false, null, null, null, null);

    public SessionFilter withAfter(SessionCursor cursor) {
        return new SessionFilter(product, version, status, hungOnly, createdFrom, createdTo, eventName, cursor);
    }
}

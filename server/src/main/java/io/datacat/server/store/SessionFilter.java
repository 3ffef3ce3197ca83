package io.datacat.server.store;

/**
 * What the sessions list shows. Null fields do not filter.
 *
 * @param status      one status, or null
 * @param hungOnly    only sessions whose hung flag is set
 * @param hungEver    only sessions that hung at least once
 * @param createdFrom created_at at or after (µs)
 * @param createdTo   created_at before (µs)
 * @param eventName   only sessions that logged an event or exception of this name
 * @param state       only sessions whose state holds (or held) a value at a key
 * @param oldestFirst list order: oldest first instead of newest first
 * @param after       the page starts after this position (null: from the start)
 */
public record SessionFilter(String product, String version, SessionStatus status, boolean hungOnly, boolean hungEver,
                            Long createdFrom,
                            Long createdTo, String eventName, StateMatch state, boolean oldestFirst,
                            SessionCursor after) {

    /** Every session, newest first. */
    public static final SessionFilter ALL =
            new SessionFilter(null, null, null, false, false, null, null, null, null, false, null);

    public SessionFilter withAfter(SessionCursor cursor) {
        return new SessionFilter(product, version, status, hungOnly, hungEver, createdFrom, createdTo, eventName, state,
                oldestFirst, cursor);
    }
}

package io.datacat.server.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Queries that see one consistent snapshot of the store. */
public interface ReadTransaction {

    Optional<SessionRow> session(String id);

    /** The stored sessions among {@code ids}, by id. */
    Map<String, SessionRow> sessions(Collection<String> ids);

    /** Up to {@code limit} sessions matching {@code filter}, newest first. */
    List<SessionRow> listSessions(SessionFilter filter, int limit);

    /**
     * Characters of record bodies one page may hold: a page stops early past this (it has at
     * least one record), so a few huge records cannot make a page huge.
     */
    int PAGE_BODY_BUDGET_CHARS = 8 * 1024 * 1024;

    /** Up to {@code limit} records of a session in (ts, src, seq) order, after {@code filter.after()}. */
    RecordPage records(long sk, RecordFilter filter, int limit);

    /**
     * The last {@code limit} records matching {@code filter} (its cursor ignored), in (ts, src,
     * seq) order; {@code more} tells whether older ones match too.
     */
    RecordPage latestRecords(long sk, RecordFilter filter, int limit);

    /**
     * Visits a session's {@code state} records in merge order ((src, seq)), starting after
     * {@code after} (null: from the first), until {@code visitor} returns false.
     */
    void forEachStatePatch(long sk, StateKey after, Predicate<StoredRecord> visitor);

    long countSessions();

    long countRecords();
}

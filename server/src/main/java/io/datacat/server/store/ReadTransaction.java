package io.datacat.server.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
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
     * Visits up to {@code limit} records of a session matching {@code filter}, in (ts, src, seq)
     * order, until {@code visitor} returns false; for reads too long for one page.
     *
     * @return how many records were visited
     */
    long forEachRecord(long sk, RecordFilter filter, long limit, Predicate<StoredRecord> visitor);

    /**
     * Up to {@code limit} records of a session of one sequence space with seqs and times (µs) in
     * these ranges (both ends included), in (ts, src, seq) order: what another server's write
     * stored ({@link StoreChange}).
     */
    List<StoredRecord> recordsBetween(long sk, StoreChange change, int limit);

    /** The times (µs) of the first and last record of a stream of a session, or empty when it has none. */
    Optional<TimeRange> timeRange(long sk, RecordStream stream);

    /**
     * Visits a session's {@code state} records in merge order ((src, seq)) after {@code after}
     * (null: from the first) up to and including {@code upTo} (null: to the last), until
     * {@code visitor} returns false. Reads only the records in that range, so a bounded range
     * costs the same in a session of any length.
     */
    void forEachStatePatch(long sk, StateKey after, StateKey upTo, Predicate<StoredRecord> visitor);

    /** The latest snapshot taken at or before {@code key} in merge order (strictly before when not inclusive). */
    Optional<StateSnapshot> snapshotBefore(long sk, StateKey key, boolean inclusive);

    /** The last state patch in time order ((ts, src, seq)) with a time at or before {@code ts}. */
    Optional<StateKey> lastPatchAtOrBefore(long sk, long ts);

    /**
     * The value of the last record before {@code beforeTs} (µs) of the counter {@code name}
     * sent as running totals ({@code "cumulative": true}) with these tags (in any order), or
     * empty. One read of the session's metrics backwards from {@code beforeTs}, which stops at
     * the first match.
     */
    OptionalDouble lastCumulativeBefore(long sk, String name, List<String> tags, long beforeTs);

    /** Every product version with its sessions counted by status, at most {@code limit} of them. */
    List<ProductVersionCounts> productVersions(int limit);

    /**
     * Whether the session logged an event or exception whose name, message or exception type
     * or message contains {@code text} (ASCII letters case-insensitively). Reads the session's
     * events until one matches, so its cost grows with the session's number of events.
     */
    boolean mentions(long sk, String text);

    /**
     * Up to {@code limit} sessions that have ended and were last heard from before
     * {@code lastSeenBefore} (µs), oldest first: what retention deletes.
     */
    List<SessionRow> expiredSessions(long lastSeenBefore, int limit);

    /** Whether session {@code sk} has ended and was last heard from before {@code lastSeenBefore} (µs). */
    boolean isExpired(long sk, long lastSeenBefore);

    long countSessions();

    long countRecords();
}

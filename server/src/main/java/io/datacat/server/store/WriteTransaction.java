package io.datacat.server.store;

import io.datacat.protocol.Source;

import java.util.Collection;
import java.util.List;

/** The writes of one transaction; it also reads what it has written so far. */
public interface WriteTransaction extends ReadTransaction {

    /** Inserts a new session and returns it with its surrogate key. */
    SessionRow insertSession(SessionRow row);

    /** Replaces every column of the session with key {@code row.sk()}. */
    void updateSession(SessionRow row);

    /**
     * Inserts records whose identity (sk, src, seq) is not stored yet and skips the others.
     *
     * @return for each row, whether it was inserted (false: a duplicate)
     */
    boolean[] insertRecords(List<RecordRow> rows);

    /** Remembers that the session logged events or exceptions of these names (already stored ones are skipped). */
    void insertEventNames(long sk, Collection<String> names);

    /** Remembers that the session's state held these values (already stored ones are skipped). */
    void insertStateValues(long sk, Collection<StateValue> values);

    /** Stores the state right after patch {@code key}. */
    void insertSnapshot(long sk, StateKey key, String state);

    /** Removes the session's snapshots, before its state is rebuilt from all of its patches. */
    void deleteSnapshots(long sk);

    /** The highest seq stored for a session in one sequence space, 0 if none. */
    long lastSeq(long sk, Source src);

    /**
     * Marks {@code abnormal} every active session not seen since {@code lastSeenBefore} (µs),
     * with {@code ended_at} = its last_seen.
     *
     * @return the sessions that changed, as they are now
     */
    List<SessionRow> markSilentSessionsAbnormal(long lastSeenBefore);

    /**
     * Deletes up to {@code limit} records of session {@code sk}: retention deletes a long
     * session over several short transactions, so ingest never waits long behind it.
     *
     * @return how many records were deleted; fewer than {@code limit} when none are left
     */
    int deleteRecords(long sk, int limit);

    /** Deletes session {@code sk} and everything else stored about it (its records included). */
    void deleteSession(long sk);
}

package io.datacat.daemon.session;

import io.datacat.protocol.WireRecord;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Every session this daemon has heard of since it started; final sessions stay known. */
public final class SessionRegistry {
    private final Map<String, SessionEntry> sessions = new ConcurrentHashMap<>();
    private final long defaultHangTimeoutMs;

    /** @param defaultHangTimeoutMs hang timeout of sessions whose session_start gives none */
    public SessionRegistry(long defaultHangTimeoutMs) {
        this.defaultHangTimeoutMs = defaultHangTimeoutMs;
    }

    /** A new session of a compatible client, which the daemon numbers. */
    SessionEntry registerCompat(String sid, long nowNanos) {
        SessionEntry e = new SessionEntry(sid, true, defaultHangTimeoutMs, nowNanos);
        sessions.put(sid, e);
        return e;
    }

    void forget(String sid) {
        sessions.remove(sid);
    }

    /** The session a client batch speaks of, created on first sight. */
    SessionEntry entryFor(String sid, long nowNanos) {
        return sessions.computeIfAbsent(sid, s -> new SessionEntry(s, false, defaultHangTimeoutMs, nowNanos));
    }

    public Optional<SessionEntry> find(String sid) {
        return Optional.ofNullable(sessions.get(sid));
    }

    /** @throws SessionException 404 when the session is unknown */
    public SessionEntry require(String sid) {
        SessionEntry e = sessions.get(sid);
        if (e == null) {
            throw SessionException.notFound();
        }
        return e;
    }

    /** @throws SessionException 404 when unknown, 409 when the daemon does not number its records */
    public SessionEntry requireCompat(String sid) {
        SessionEntry e = require(sid);
        if (!e.compat()) {
            throw SessionException.notCompat(sid);
        }
        return e;
    }

    public Collection<SessionEntry> all() {
        return List.copyOf(sessions.values());
    }

    public int size() {
        return sessions.size();
    }

    public boolean allFinal() {
        return sessions.values().stream().allMatch(e -> e.snapshot().isFinal());
    }

    /** Applies records that are now in the spool. */
    void apply(List<WireRecord> records, long nowNanos) {
        for (WireRecord r : records) {
            entryFor(r.sid(), nowNanos).apply(r);
        }
    }

    /**
     * Notes a client batch: its registry facts, its per-session counters, and contact for
     * every session it names and every other session of the same process (one client, one
     * stream of requests).
     */
    void observeBatch(ClientBatch batch, long nowNanos) {
        apply(batch.registryFacts(), nowNanos);
        batch.sessions().forEach((sid, c) -> entryFor(sid, nowNanos)
                .counters(c.clientDropped(), c.lastHeartbeat(), batch.hangPaused().get(sid)));
        Set<String> named = new HashSet<>(batch.sessions().keySet());
        named.addAll(batch.sids());
        Set<Long> pids = new HashSet<>();
        for (String sid : named) {
            SessionEntry e = entryFor(sid, nowNanos);
            e.contact(nowNanos);
            pids.add(e.snapshot().pid());
        }
        pids.remove(0L);
        if (!pids.isEmpty()) {
            for (SessionEntry e : sessions.values()) {
                if (pids.contains(e.snapshot().pid())) {
                    e.contact(nowNanos);
                }
            }
        }
    }
}

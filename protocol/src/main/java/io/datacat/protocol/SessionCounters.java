package io.datacat.protocol;

/**
 * Cumulative per-session counters a batch carries beside its records. Receivers keep the
 * maximum they have seen, so a resend of an older value changes nothing.
 *
 * @param clientDropped records the client dropped (queue full, shutdown timeout)
 * @param spoolEvicted  records the daemon's bounded spool evicted
 * @param lastHeartbeat the client's last heartbeat time (µs since the epoch), 0 if none
 */
public record SessionCounters(long clientDropped, long spoolEvicted, long lastHeartbeat) {
    public static final SessionCounters NONE = new SessionCounters(0, 0, 0);

    /** The field-wise maximum of two observations. */
    public SessionCounters max(SessionCounters o) {
        return new SessionCounters(Math.max(clientDropped, o.clientDropped),
                Math.max(spoolEvicted, o.spoolEvicted), Math.max(lastHeartbeat, o.lastHeartbeat));
    }
}

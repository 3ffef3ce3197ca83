package io.datacat.server.store;

/**
 * The sessions of one product version, counted by status.
 *
 * @param hungEver sessions that hung at least once (whatever their status now)
 * @param hungNow  sessions whose hung flag is set
 * @param lastSeen the latest last_seen of its sessions (µs)
 */
public record ProductVersionCounts(String product, String version, long sessions, long active, long ended,
                                   long crashed, long abnormal, long hungEver, long hungNow, long lastSeen) {
}

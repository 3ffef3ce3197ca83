package io.datacat.daemon.session;

/**
 * What the daemon knows of a session at one moment.
 *
 * @param sid                   the session id
 * @param compat                registered through {@code POST /register}: the daemon numbers its records
 * @param jvm                   a Java client (its silent death is {@code killed}, not {@code process_exited})
 * @param pid                   the app's process id, 0 when unknown
 * @param cwd                   the app's working directory (from session_start), or null
 * @param hsErrPath             {@code attrs.hs_err_path} from session_start, or null
 * @param hangTimeoutMs         how long the session may be silent before it counts as hung; 0 = not watched
 * @param createdAtMicros       when the daemon first heard of it
 * @param updatedAtMicros       when the daemon last heard of it
 * @param endedAtMicros         when it became final, 0 if it is not
 * @param isFinal               an end or crash record was spooled for it
 * @param lastContactNanos      monotonic time of the last request that concerned it
 * @param lastHeartbeatMicros   the app's last heartbeat (wall clock µs), 0 if it never heartbeated
 * @param lastHeartbeatNanos    monotonic time of the last compatible {@code /heartbeat} (or resume)
 * @param paused                hang detection paused by the app
 * @param hung                  a hang was reported and no recovery yet
 * @param silenceStartNanos     monotonic start of the reported hang's silence
 * @param clientDropped         records the client dropped (cumulative, from the client)
 */
public record SessionSnapshot(String sid, boolean compat, boolean jvm, long pid, String cwd, String hsErrPath,
                              long hangTimeoutMs, long createdAtMicros, long updatedAtMicros, long endedAtMicros,
                              boolean isFinal, long lastContactNanos, long lastHeartbeatMicros,
                              long lastHeartbeatNanos, boolean paused, boolean hung, long silenceStartNanos,
                              long clientDropped) {

    /** Monotonic time the app was last heard from, by the rule of its kind of client. */
    public long lastSignOfLifeNanos() {
        return compat ? lastHeartbeatNanos : lastContactNanos;
    }

    /** The app has shown it heartbeats; a session that never does is never called hung. */
    public boolean heartbeats() {
        return lastHeartbeatMicros > 0;
    }
}

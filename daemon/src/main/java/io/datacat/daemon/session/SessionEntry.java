package io.datacat.daemon.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.DeepMerge;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;
import io.datacat.protocol.WireRecord;

/**
 * One session as the daemon tracks it. Thread-safe; the writer also holds this object's
 * monitor while it numbers and spools a compatible session's records, so their sequence
 * numbers reach the spool in order.
 */
public final class SessionEntry {
    private final String sid;
    private final boolean compat;
    private boolean jvm = true;
    private long pid;
    private String cwd;
    private String hsErrPath;
    private long hangTimeoutMs;
    private final long createdAtMicros;
    private long updatedAtMicros;
    private long endedAtMicros;
    private boolean isFinal;
    private long lastContactNanos;
    private long lastHeartbeatMicros;
    private long lastHeartbeatNanos;
    private boolean paused;
    private boolean hung;
    private long silenceStartNanos;
    private long clientDropped;
    private final ObjectNode state = Json.mapper().createObjectNode();
    private long nextSeq = 1;

    SessionEntry(String sid, boolean compat, long defaultHangTimeoutMs, long nowNanos) {
        this.sid = sid;
        this.compat = compat;
        this.hangTimeoutMs = defaultHangTimeoutMs;
        this.createdAtMicros = Timestamps.nowMicros();
        this.updatedAtMicros = createdAtMicros;
        this.lastContactNanos = nowNanos;
        this.lastHeartbeatNanos = nowNanos;
    }

    public String sid() {
        return sid;
    }

    public boolean compat() {
        return compat;
    }

    public synchronized SessionSnapshot snapshot() {
        return new SessionSnapshot(sid, compat, jvm, pid, cwd, hsErrPath, hangTimeoutMs, createdAtMicros,
                updatedAtMicros, endedAtMicros, isFinal, lastContactNanos, lastHeartbeatMicros, lastHeartbeatNanos,
                paused, hung, silenceStartNanos, clientDropped);
    }

    /** A copy of the session's state as the daemon merged it. */
    public synchronized ObjectNode stateCopy() {
        return state.deepCopy();
    }

    /** Applies a record that is now in the spool. */
    synchronized void apply(WireRecord r) {
        updatedAtMicros = Timestamps.nowMicros();
        switch (r.kind()) {
            case SESSION_START -> start(r);
            case STATE -> DeepMerge.apply(state, (ObjectNode) r.body().get("patch"));
            case END, CRASH -> {
                if (!isFinal) {
                    isFinal = true;
                    endedAtMicros = updatedAtMicros;
                }
            }
            default -> {
            }
        }
    }

    private void start(WireRecord r) {
        long startPid = r.integer("pid", 0);
        if (startPid > 0) {
            pid = startPid;
        }
        String client = r.text("client");
        if (client != null) {
            jvm = client.startsWith("java");
        }
        cwd = r.text("cwd");
        JsonNode attrs = r.body().get("attrs");
        JsonNode hsErr = attrs == null ? null : attrs.get("hs_err_path");
        hsErrPath = hsErr != null && hsErr.isTextual() ? hsErr.asText() : null;
        // Absent: the daemon's default; 0: the client turned hang detection off.
        if (r.body().hasNonNull("hang_timeout_ms")) {
            hangTimeoutMs = Math.max(0, r.integer("hang_timeout_ms", 0));
        }
        if (compat) {
            state.put("product", r.text("product"));
            state.put("version", r.text("version"));
        }
    }

    /** The app sent a request concerning this session. */
    synchronized void contact(long nowNanos) {
        lastContactNanos = Math.max(lastContactNanos, nowNanos);
        updatedAtMicros = Timestamps.nowMicros();
    }

    /** Cumulative counters from a client batch; {@code hangPaused} null = not sent. */
    synchronized void counters(long dropped, long heartbeatMicros, Boolean hangPaused) {
        clientDropped = Math.max(clientDropped, dropped);
        lastHeartbeatMicros = Math.max(lastHeartbeatMicros, heartbeatMicros);
        if (hangPaused != null) {
            paused = hangPaused;
        }
    }

    /** A compatible {@code /heartbeat}: also lifts a pause, as the compatible daemon did. */
    public synchronized void heartbeat(long nowNanos) {
        lastHeartbeatNanos = nowNanos;
        lastHeartbeatMicros = Timestamps.nowMicros();
        lastContactNanos = Math.max(lastContactNanos, nowNanos);
        paused = false;
    }

    public synchronized void pause() {
        paused = true;
    }

    /** Lifts a pause and restarts the silence clock, so the pause itself never counts as a hang. */
    public synchronized void resume(long nowNanos) {
        paused = false;
        lastHeartbeatNanos = nowNanos;
        lastContactNanos = Math.max(lastContactNanos, nowNanos);
    }

    /** A hang was reported for the silence that began at {@code silenceStart}. */
    public synchronized void markHung(long silenceStart) {
        hung = true;
        silenceStartNanos = silenceStart;
    }

    public synchronized void markRecovered() {
        hung = false;
    }

    /** The next sequence number of a compatible session's {@code app} space. */
    synchronized long nextSeq() {
        return nextSeq;
    }

    synchronized void advanceSeq(int count) {
        nextSeq += count;
    }
}

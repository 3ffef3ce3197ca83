package io.datacat.daemon.watch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.Log;
import io.datacat.daemon.session.RecordWriter;
import io.datacat.daemon.session.SessionEntry;
import io.datacat.daemon.session.SessionRegistry;
import io.datacat.daemon.session.SessionSnapshot;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.util.Optional;

/**
 * Turns silence into {@code hang} reports and contact into {@code recovered}. Only sessions
 * that are open, not paused and have heartbeated at least once are watched. A compatible
 * client is silent when no {@code /heartbeat} came for longer than its timeout; a Java client
 * when no request at all came from it while its process is alive (a frozen JVM, e.g. SIGSTOP:
 * inside a live JVM the client's own watchdog reports hung threads, with their stacks).
 */
public final class HangWatcher {
    /**
     * A batch client talks at least every second (its keep-alive), so silence shorter than this
     * is a slow second, not a frozen process, whatever its hang timeout.
     */
    static final long MIN_BATCH_CLIENT_SILENCE_MS = 3_000;

    /**
     * A check this much later than the one before it means the daemon itself stood still
     * (stopped, suspended, starved): its apps' requests waited unread meanwhile, so their
     * silence counts only from the daemon's return.
     */
    static final long DAEMON_STALL_NANOS = 1_000_000_000L;

    private final SessionRegistry registry;
    private final RecordWriter writer;
    private final ProcessWatcher processes;
    private long lastCheckNanos;
    private long awakeSinceNanos;

    public HangWatcher(SessionRegistry registry, RecordWriter writer, ProcessWatcher processes) {
        this.registry = registry;
        this.writer = writer;
        this.processes = processes;
    }

    public void check() {
        long now = System.nanoTime();
        if (lastCheckNanos == 0 || now - lastCheckNanos > DAEMON_STALL_NANOS) {
            awakeSinceNanos = now;
        }
        lastCheckNanos = now;
        for (SessionEntry e : registry.all()) {
            SessionSnapshot s = e.snapshot();
            if (s.isFinal()) {
                continue;
            }
            try {
                if (s.hung()) {
                    if (s.lastSignOfLifeNanos() > s.silenceStartNanos()) {
                        reportRecovered(e, s);
                    }
                } else if (watched(s)) {
                    long silentMs = (now - Math.max(s.lastSignOfLifeNanos(), awakeSinceNanos)) / 1_000_000;
                    long timeoutMs = s.compat() ? s.hangTimeoutMs()
                            : Math.max(s.hangTimeoutMs(), MIN_BATCH_CLIENT_SILENCE_MS);
                    if (silentMs > timeoutMs) {
                        reportHang(e, s, silentMs, timeoutMs);
                    }
                }
            } catch (IOException ex) {
                Log.error("cannot spool a hang report for session " + s.sid() + "; retrying", ex);
            }
        }
    }

    private boolean watched(SessionSnapshot s) {
        return !s.paused() && s.heartbeats() && s.hangTimeoutMs() > 0
                && (s.compat() || s.pid() <= 0 || processes.isAlive(s.pid()));
    }

    private void reportHang(SessionEntry e, SessionSnapshot s, long silentMs, long timeoutMs) throws IOException {
        Optional<ProcState> state = s.pid() > 0 ? ProcState.of(s.pid()) : Optional.empty();
        String rule = s.compat() ? "no /heartbeat" : "no request from the client";
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("kind", "hang");
        f.put("thread", s.pid() > 0 ? "process " + s.pid() + state.map(st -> " (" + st + ")").orElse("")
                : "unknown process");
        f.putArray("stack");
        f.put("timeout_ms", timeoutMs);
        f.put("silent_ms", silentMs);
        f.put("detected_by", "daemon");
        f.put("message", rule + " for " + silentMs + " ms (hang timeout " + timeoutMs + " ms)");
        ObjectNode detail = f.putObject("detail");
        detail.put("rule", rule);
        if (s.pid() > 0) {
            detail.put("pid", s.pid());
        }
        state.ifPresent(st -> {
            detail.put("process_state", String.valueOf(st.code()));
            detail.put("process_state_meaning", st.meaning());
        });
        writer.writeDaemonRecord(s.sid(), f);
        e.markHung(s.lastSignOfLifeNanos());
        Log.warn("session " + s.sid() + " looks hung: " + f.get("message").asText()
                + state.map(st -> "; process state " + st).orElse(""));
    }

    private void reportRecovered(SessionEntry e, SessionSnapshot s) throws IOException {
        long durationMs = (s.lastSignOfLifeNanos() - s.silenceStartNanos()) / 1_000_000;
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("kind", "recovered");
        f.put("duration_ms", durationMs);
        f.put("detected_by", "daemon");
        writer.writeDaemonRecord(s.sid(), f);
        e.markRecovered();
        Log.info("session " + s.sid() + " is heard from again after " + durationMs + " ms of silence");
    }
}

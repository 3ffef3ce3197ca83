package io.datacat.daemon.watch;

import io.datacat.daemon.Log;
import io.datacat.daemon.session.RecordWriter;
import io.datacat.daemon.session.SessionEntry;
import io.datacat.daemon.session.SessionRegistry;
import io.datacat.daemon.session.SessionSnapshot;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Polls the app processes (the configured parent and every open session's pid) and, a short
 * grace after one dies (room for the app's last request in flight), writes a {@code crash}
 * record for each of its sessions that is not final. A session whose pid is unknown belongs
 * to the parent.
 */
public final class ProcessWatcher {
    private final SessionRegistry registry;
    private final RecordWriter writer;
    private final long parentPid;
    private final long graceNanos;
    /** First handle seen per pid: it remembers the start time, so a reused pid does not look alive. */
    private final Map<Long, Optional<ProcessHandle>> handles = new ConcurrentHashMap<>();
    private final Map<Long, Long> diedAtNanos = new ConcurrentHashMap<>();
    private final Path endedNotes;
    private final Set<String> notesDropped = ConcurrentHashMap.newKeySet();

    /**
     * @param endedNotes where the apps that started this daemon note the sessions they ended
     *                   whose {@code end} did not reach it in time (a file per session id), or null
     */
    public ProcessWatcher(SessionRegistry registry, RecordWriter writer, long parentPid,
                          Duration grace, Path endedNotes) {
        this.registry = registry;
        this.writer = writer;
        this.parentPid = parentPid;
        this.graceNanos = grace.toNanos();
        this.endedNotes = endedNotes;
    }

    /** One round: notes deaths, then reports the sessions whose app died longer than the grace ago. */
    public void poll() {
        long now = System.nanoTime();
        Set<Long> pids = new HashSet<>();
        if (parentPid > 0) {
            pids.add(parentPid);
        }
        for (SessionEntry e : registry.all()) {
            SessionSnapshot s = e.snapshot();
            if (!s.isFinal() && s.pid() > 0) {
                pids.add(s.pid());
            }
        }
        for (long pid : pids) {
            if (!diedAtNanos.containsKey(pid) && !probe(pid)) {
                diedAtNanos.put(pid, now);
                Log.info("process " + pid + (pid == parentPid ? " (the app that started this daemon)" : "")
                        + " has ended");
            }
        }
        for (SessionEntry e : registry.all()) {
            SessionSnapshot s = e.snapshot();
            if (s.isFinal()) {
                dropNote(s.sid());
                continue;
            }
            long owner = s.pid() > 0 ? s.pid() : parentPid;
            Long died = owner > 0 ? diedAtNanos.get(owner) : null;
            if (!s.isFinal() && died != null && now - died >= graceNanos) {
                try {
                    reportCrash(e, owner);
                } catch (RuntimeException ex) {
                    // One session's bad data must not stop the crash reports of the others.
                    Log.error("cannot report the crash of session " + e.sid() + "; retrying", ex);
                }
            }
        }
    }

    private boolean probe(long pid) {
        return handles.computeIfAbsent(pid, ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    private void reportCrash(SessionEntry e, long pid) {
        if (endedByItsApp(e)) {
            return;
        }
        try {
            var record = writer.writeDaemonRecord(e.sid(), CrashReport.fields(e.snapshot(), pid));
            Log.warn("session " + e.sid() + ": its app (pid " + pid + ") died without ending it; reported crash, "
                    + "reason " + record.text("reason"));
        } catch (IOException ex) {
            Log.error("cannot spool the crash report of session " + e.sid() + "; retrying", ex);
        }
    }

    /**
     * A session its app ended, whose {@code end} did not reach the daemon before the app's
     * shutdown timed out (the daemon was stopped or overloaded): ended now, not reported killed.
     */
    private boolean endedByItsApp(SessionEntry e) {
        Path note = endedNotes == null ? null : endedNotes.resolve(e.sid());
        if (note == null || !Files.exists(note)) {
            return false;
        }
        try {
            writer.writeDaemonRecord(e.sid(), Json.mapper().createObjectNode().put("kind", "end"));
            Files.deleteIfExists(note);
            Log.info("session " + e.sid() + ": its app ended it, but the end did not arrive before the app's "
                    + "shutdown timed out; ended it");
        } catch (IOException | RuntimeException ex) {
            Log.error("cannot spool the end of session " + e.sid() + "; retrying", ex);
        }
        return true;
    }

    /**
     * A note for a session that ended by itself (its app's end arrived after all, late) is not
     * needed: removed, once.
     */
    private void dropNote(String sid) {
        if (endedNotes == null || !notesDropped.add(sid)) {
            return;
        }
        try {
            Files.deleteIfExists(endedNotes.resolve(sid));
        } catch (IOException | RuntimeException ex) {
            // A leftover empty file in the app's own temporary folder.
        }
    }

    /** False once the pid was seen dead (or never existed). */
    public boolean isAlive(long pid) {
        return !diedAtNanos.containsKey(pid);
    }

    /** The configured parent is alive (true when there is none). */
    public boolean parentAlive() {
        return parentPid <= 0 || !diedAtNanos.containsKey(parentPid);
    }
}

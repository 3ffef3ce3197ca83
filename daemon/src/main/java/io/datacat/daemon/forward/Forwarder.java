package io.datacat.daemon.forward;

import io.datacat.daemon.Log;
import io.datacat.daemon.session.SessionEntry;
import io.datacat.daemon.session.SessionRegistry;
import io.datacat.daemon.session.SessionSnapshot;
import io.datacat.daemon.spool.EvictionLedger;
import io.datacat.daemon.spool.Frame;
import io.datacat.daemon.spool.FramePayload;
import io.datacat.daemon.spool.Spool;
import io.datacat.daemon.spool.SpoolLog;
import io.datacat.daemon.spool.SpoolPosition;
import io.datacat.protocol.Bytes;
import io.datacat.protocol.SessionCounters;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one loop that delivers the spool to the server, in spool order: up to 5,000 records or
 * 4 MiB per request, with the {@code sessions} counters of the sessions concerned, two requests
 * in flight numbered so that the server stores them in order.
 * 2xx advances the cursor; a 4xx about the data moves those frames to {@code rejected/} (a
 * rejected multi-frame request is first retried a frame at a time, so only the bad frame is
 * quarantined); anything else is retried with backoff from 100 ms doubling to 5 s, logged
 * once per outage. When idle it sends a keep-alive (counters only) every 5 s for the sessions
 * still open: the server's sign that their app is alive. Before its first delivery it adopts
 * the spools of dead daemons, so their older data goes out before this daemon's.
 */
public final class Forwarder implements Closeable {
    static final Duration KEEP_ALIVE = Duration.ofSeconds(5);
    /** Requests in flight at once: the server parses one while it stores the other. */
    static final int IN_FLIGHT = 2;
    private static final SecureRandom STREAM_IDS = new SecureRandom();
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** Counts for {@code /health} and the logs. */
    public record Stats(long sentRecords, long sentBatches, long rejectedFrames, boolean serverReachable,
                        String lastError) {
    }

    /** A request being delivered: the frames it holds and where the log resumes after them. */
    private record Outgoing(SpoolLog log, List<Frame> frames, SpoolPosition next, int records, Bytes body,
                            Map<String, Long> evictedSent) {
    }

    /** Frames of a rejected request are resent one at a time until the cursor passes {@code until}. */
    private record Isolation(SpoolLog log, SpoolPosition until) {
    }

    private final Spool spool;
    private final SessionRegistry registry;
    private final IngestClient client;
    private final Quarantine quarantine;
    private final Thread thread;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running = true;
    private volatile boolean adoptedAtStart;
    private final AtomicLong sentRecords = new AtomicLong();
    private final AtomicLong sentBatches = new AtomicLong();
    private volatile long outageSinceNanos;
    private volatile String lastError = "";
    private Isolation isolation;
    /** The stream the pipelined requests are numbered in: a new one for each burst. */
    private String stream;
    private long streamRequests;
    private final ExecutorService senders;
    private long lastKeepAliveNanos = System.nanoTime();

    public Forwarder(Spool spool, SessionRegistry registry, IngestClient client) {
        this.spool = spool;
        this.registry = registry;
        this.client = client;
        this.quarantine = new Quarantine(spool.rejectedDir());
        this.thread = new Thread(this::run, "datacat-forwarder");
        this.thread.setDaemon(true);
        AtomicInteger senderCount = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(IN_FLIGHT, r -> {
            Thread t = new Thread(r, "datacat-forwarder-send-" + senderCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.start();
    }

    /** Something was appended: deliver it now rather than at the next keep-alive. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    public Stats stats() {
        return new Stats(sentRecords.get(), sentBatches.get(), quarantine.count(), outageSinceNanos == 0, lastError);
    }

    /** True once the spools of dead daemons found at start were adopted (they go out first). */
    public boolean adoptedAtStart() {
        return adoptedAtStart;
    }

    private void run() {
        client.warmUp();
        spool.adoptDeadSiblings();
        adoptedAtStart = true;
        while (running) {
            try {
                SpoolLog log = nextLogWithData();
                if (log == null) {
                    idle();
                } else if (isolation != null || !client.serverKeepsOrder()) {
                    Outgoing out = assemble(log, log.cursor());
                    if (out != null) {
                        deliver(out);
                    }
                } else {
                    deliverPipelined(log);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                // Whatever went wrong (an OutOfMemoryError too), the forwarder must not die
                // silently while the daemon goes on acking: log it and try again.
                if (!running) {
                    return;
                }
                Log.error("forwarding failed; retrying in " + MAX_BACKOFF.toSeconds() + " s", e);
                if (!pause(MAX_BACKOFF)) {
                    return;
                }
            }
        }
    }

    /** The first log with undelivered frames; delivered adopted logs are removed on the way. */
    private SpoolLog nextLogWithData() throws IOException {
        for (SpoolLog log : spool.logs()) {
            if (!log.drained()) {
                return log;
            }
            if (!spool.isOwn(log)) {
                spool.retire(log);
            }
        }
        return null;
    }

    /** The request of the frames from {@code pos} on, or null when there are none yet. */
    private Outgoing assemble(SpoolLog log, SpoolPosition pos) throws IOException {
        if (isolation != null && (isolation.log() != log || pos.compareTo(isolation.until()) >= 0)) {
            isolation = null;
        }
        int maxFrames = isolation != null ? 1 : Integer.MAX_VALUE;
        List<Frame> frames = new ArrayList<>();
        List<FramePayload.Contents> parts = new ArrayList<>();
        int records = 0;
        long bytes = 0;
        while (frames.size() < maxFrames) {
            Frame f = log.read(pos);
            if (f == null) {
                break;
            }
            FramePayload.Contents c = f.contents();
            if (!frames.isEmpty() && (records + c.records() > FramePayload.MAX_RECORDS
                    || bytes + c.length() > FramePayload.MAX_BYTES)) {
                break;
            }
            frames.add(f);
            parts.add(c);
            records += c.records();
            bytes += c.length();
            pos = f.next();
        }
        if (frames.isEmpty()) {
            return null;
        }
        Map<String, SessionCounters> counters = new LinkedHashMap<>();
        for (FramePayload.Contents c : parts) {
            c.counters().forEach((sid, v) -> counters.merge(sid, v, SessionCounters::max));
            c.sids().forEach(sid -> counters.putIfAbsent(sid, SessionCounters.NONE));
        }
        Map<String, Long> evictedSent = withCurrentCounters(counters);
        Bytes body = new Bytes((int) bytes + 128 * counters.size() + 64);
        FramePayload.writeBatch(parts, counters, body);
        return new Outgoing(log, frames, pos, records, body, evictedSent);
    }

    /**
     * Raises the counters to what the daemon knows now (registry, eviction ledger) and adds the
     * sessions whose eviction count the server has not seen; returns the eviction counts sent.
     */
    private Map<String, Long> withCurrentCounters(Map<String, SessionCounters> counters) {
        EvictionLedger ledger = spool.evictions();
        ledger.unreported().keySet().forEach(sid -> counters.putIfAbsent(sid, SessionCounters.NONE));
        Map<String, Long> evictedSent = new HashMap<>();
        counters.replaceAll((sid, c) -> {
            long evicted = ledger.evicted(sid);
            evictedSent.put(sid, evicted);
            SessionCounters known = registry.find(sid).map(e -> {
                SessionSnapshot s = e.snapshot();
                return new SessionCounters(s.clientDropped(), evicted, s.lastHeartbeatMicros());
            }).orElse(new SessionCounters(0, evicted, 0));
            return c.max(known);
        });
        return evictedSent;
    }

    /**
     * Delivers a log with up to {@link #IN_FLIGHT} requests in flight, so the server parses the
     * next batch while it stores the one before. Each carries its place in this forwarder's
     * current stream ({@link IngestClient#post(Bytes, String)}), and the server stores a
     * stream's requests in that order only. When a request is not stored, the ones after it
     * are waited for (the server refuses them, or stores them and later ignores their resent
     * records as duplicates), and the rest goes through {@link #deliver} from the cursor, one
     * request at a time. Used once the server has said it keeps that order
     * ({@link IngestClient#serverKeepsOrder()}); an older server gets one request at a time.
     */
    private void deliverPipelined(SpoolLog log) throws IOException, InterruptedException {
        Deque<InFlight> window = new ArrayDeque<>(IN_FLIGHT);
        SpoolPosition next = log.cursor();
        // A stream per burst: the server forgets streams (restarts, many senders), and a
        // request numbered past what it knows would wait for a predecessor it never sees.
        newStream();
        while (running) {
            while (window.size() < IN_FLIGHT) {
                Outgoing out = assemble(log, next);
                if (out == null || isEmpty(out) && !window.isEmpty()) {
                    break;
                }
                next = out.next();
                if (isEmpty(out)) {
                    out.log().ack(out.next(), 0);
                } else {
                    String ticket = stream + "/" + ++streamRequests;
                    window.add(new InFlight(out, CompletableFuture.supplyAsync(() -> post(out, ticket), senders)));
                }
            }
            if (window.isEmpty()) {
                return;
            }
            InFlight head = window.poll();
            IngestClient.Outcome outcome = outcome(head);
            if (outcome instanceof IngestClient.Accepted) {
                accepted(head.out());
                continue;
            }
            for (InFlight rest : window) {
                outcome(rest);
            }
            if (outcome instanceof IngestClient.Rejected rejected) {
                reachable();
                reject(head.out(), rejected);
            } else {
                // With backoff, one request at a time, until the server stores it again.
                deliver(head.out());
            }
            return;
        }
    }

    /** A request sent by {@link #deliverPipelined}, and its answer to come. */
    private record InFlight(Outgoing out, CompletableFuture<IngestClient.Outcome> result) {
    }

    private IngestClient.Outcome post(Outgoing out, String ticket) {
        try {
            return client.post(out.body(), ticket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IngestClient.Failed("the daemon is stopping");
        }
    }

    private static IngestClient.Outcome outcome(InFlight f) throws InterruptedException {
        try {
            return f.result().get();
        } catch (ExecutionException e) {
            return new IngestClient.Failed("sending failed: " + e.getCause());
        }
    }

    /** A stream the server has not seen: its requests are numbered from 1. */
    private void newStream() {
        stream = Long.toString(STREAM_IDS.nextLong() & Long.MAX_VALUE, 36);
        streamRequests = 0;
    }

    /** Only empty frames (left by a repair): nothing to tell the server. */
    private static boolean isEmpty(Outgoing out) {
        return out.records() == 0 && out.evictedSent().isEmpty();
    }

    private void accepted(Outgoing out) throws IOException {
        out.log().ack(out.next(), out.records());
        spool.evictions().markReported(out.evictedSent());
        sentRecords.addAndGet(out.records());
        sentBatches.incrementAndGet();
        reachable();
    }

    private void deliver(Outgoing out) throws IOException, InterruptedException {
        if (isEmpty(out)) {
            out.log().ack(out.next(), 0);
            return;
        }
        Duration backoff = FIRST_BACKOFF;
        while (running) {
            IngestClient.Outcome outcome = client.post(out.body(), null);
            if (outcome instanceof IngestClient.Accepted) {
                accepted(out);
                return;
            }
            if (outcome instanceof IngestClient.Rejected rejected) {
                reachable();
                reject(out, rejected);
                return;
            }
            unreachable(((IngestClient.Failed) outcome).reason());
            if (!pause(backoff)) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private void reject(Outgoing out, IngestClient.Rejected rejected) throws IOException {
        if (out.frames().size() > 1) {
            Log.warn("the server refused a batch of " + out.frames().size() + " frames (" + rejected.status() + ": "
                    + rejected.error() + "); resending them one at a time so only the bad one is set aside");
            isolation = new Isolation(out.log(), out.next());
            return;
        }
        Frame frame = out.frames().get(0);
        Path file = quarantine.store(frame, rejected.status(), rejected.error());
        out.log().ack(out.next(), out.records());
        Log.warn("the server refused " + out.records() + " records for good (" + rejected.status() + ": "
                + rejected.error() + "); moved them to " + file + " and went on with the rest");
    }

    private void idle() throws InterruptedException {
        long now = System.nanoTime();
        long dueIn = lastKeepAliveNanos + KEEP_ALIVE.toNanos() - now;
        if (dueIn <= 0) {
            lastKeepAliveNanos = now;
            sendKeepAlive();
            dueIn = KEEP_ALIVE.toNanos();
        }
        synchronized (signal) {
            if (!woken) {
                signal.wait(Math.max(1, dueIn / 1_000_000));
            }
            woken = false;
        }
    }

    /** Counters only, for the sessions still open (and evictions the server has not seen). */
    private void sendKeepAlive() throws InterruptedException {
        Map<String, SessionCounters> counters = new LinkedHashMap<>();
        registry.all().stream().map(SessionEntry::snapshot).filter(s -> !s.isFinal())
                .forEach(s -> counters.put(s.sid(), SessionCounters.NONE));
        Map<String, Long> evictedSent = withCurrentCounters(counters);
        if (counters.isEmpty()) {
            return;
        }
        Bytes body = new Bytes(256);
        FramePayload.writeBatch(List.of(), counters, body);
        IngestClient.Outcome outcome = client.post(body, null);
        if (outcome instanceof IngestClient.Accepted) {
            spool.evictions().markReported(evictedSent);
            reachable();
        } else if (outcome instanceof IngestClient.Failed failed) {
            unreachable(failed.reason());
        } else if (outcome instanceof IngestClient.Rejected rejected) {
            Log.warn("the server refused a keep-alive (" + rejected.status() + ": " + rejected.error() + ")");
        }
    }

    private void unreachable(String reason) {
        lastError = reason;
        if (outageSinceNanos == 0) {
            outageSinceNanos = System.nanoTime();
            Log.warn("cannot deliver to the server: " + reason + "; the spool keeps everything ("
                    + spool.pendingRecords() + " records) and retries every 0.1 to 5 s");
        }
    }

    private void reachable() {
        if (outageSinceNanos != 0) {
            long seconds = (System.nanoTime() - outageSinceNanos) / 1_000_000_000L;
            outageSinceNanos = 0;
            Log.info("the server is reachable again after " + seconds + " s; delivering the "
                    + spool.pendingRecords() + " spooled records");
        }
    }

    /** Waits, unless closed meanwhile; returns false when the forwarder is closing. */
    private boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops the loop; a request in flight is abandoned (its frames stay in the spool). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        senders.shutdownNow();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

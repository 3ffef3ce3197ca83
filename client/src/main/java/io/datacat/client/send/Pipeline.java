package io.datacat.client.send;

import io.datacat.client.Event;
import io.datacat.client.Level;
import io.datacat.client.Stats;
import io.datacat.client.encode.JsonWriter;
import io.datacat.client.ring.RecordRing;
import io.datacat.client.ring.SlotHandler;
import io.datacat.client.ring.SlotKind;
import io.datacat.client.transport.DaemonHandle;
import io.datacat.client.transport.HttpConnection;
import io.datacat.client.transport.ProcessInfo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Everything behind one session: its fronts (rings), and the sender thread that drains
 * them, numbers the records ({@code seq}, so what is sent is gap-free and dropped calls
 * take no number), aggregates counters and histograms per metrics interval, encodes JSON
 * and delivers batches to the daemon, keeping each batch until the daemon acks it.
 *
 * <p>Every call is accounted for exactly once: {@code sent} (acked), {@code dropped},
 * {@code ignoredAfterEnd}, or still queued.
 */
public final class Pipeline implements SlotHandler {
    public static final String CLIENT = "java/0.1.0";

    private static final int MAX_BATCH_RECORDS = 4_096;
    private static final int MAX_BATCH_BYTES = 1 << 20;
    /**
     * A record whose JSON is larger is dropped (counted): with {@link #MAX_BATCH_BYTES} it keeps
     * every batch far below the daemon's 16 MiB body limit, which a batch over it would hit on
     * every retry, wedging the session.
     */
    static final int MAX_RECORD_BYTES = 4 << 20;
    private static final int DRAIN_CHUNK = 256;
    private static final long KEEPALIVE_NANOS = 1_000_000_000L;
    private static final long EXCHANGE_TIMEOUT_NANOS = 10_000_000_000L;
    private static final long MAX_RETRY_PAUSE_NANOS = 2_000_000_000L;

    private final String sessionId;
    /** When the session was created: the time of its {@code session_start}, before any call it logs. */
    private final long createdAt = Clock.micros();
    private final Settings settings;
    private final DaemonHandle daemon;
    private final Thread sender;
    private volatile Front[] fronts = new Front[0];

    private final JsonWriter batch = new JsonWriter(64 * 1024);
    /** A batch holding only this session's {@code session_start}, sent first to every new daemon. */
    private final JsonWriter introduction = new JsonWriter(1024);
    private int introducedTo = -1;
    private final RecordEncoder encoder;
    private final Aggregator aggregator = new Aggregator();
    private long nextSeq = 1;
    /**
     * Set when a synchronous call's wait timed out (the daemon is starting and not ready, or not
     * answering), cleared by the next delivery: meanwhile synchronous calls queue without
     * waiting, so a game whose daemon hangs pays the timeout once, not on every call.
     */
    private volatile boolean unanswered;
    /** When the current metrics interval began ({@code System.nanoTime()}; sender thread only). */
    private long metricsIntervalStart;
    private int batchRecords;
    private long batchCalls;
    private boolean batchHasTerminal;
    /**
     * Where each record of the batch starts in {@link #batch} (before its comma) and how many
     * calls it carries, so a record the daemon refuses can be taken out and the rest resent.
     */
    private int[] recordStart = new int[1024];
    private long[] recordCalls = new long[1024];
    /** Where the batch's records end (its {@code ]}) and the writer's depth there, once sealed. */
    private int recordsEnd;
    private int recordsDepth;
    /** The batch's end or crash record, or -1. */
    private int terminalRecord = -1;
    /** The session's end or crash record was refused: the session did not end cleanly. */
    private volatile boolean terminalRefused;
    /** The record the daemon named when it refused the last batch, or -1. */
    private int refusedRecord = -1;
    private Front currentFront;
    private boolean endEncoded;
    private volatile HttpConnection connection;

    private final LongAdder droppedUnclaimed = new LongAdder();
    private final LongAdder droppedClaimed = new LongAdder();
    private final LongAdder ignoredByCaller = new LongAdder();
    private final AtomicLong controlClaims = new AtomicLong();
    private volatile long sent;
    private volatile long ignoredBySender;
    private volatile long truncated;
    private volatile String lastError;
    private boolean warnedRefusal;

    private final AtomicLong flushRequests = new AtomicLong();
    private long flushServing;
    private volatile long flushDone;
    private final Object monitor = new Object();
    private final CallerSide caller = new CallerSide();
    private volatile boolean stopRequested;
    private volatile boolean aborted;
    private volatile boolean finished;
    private boolean settled;
    /** True once a shutdown gave up: the sender then waits for no daemon to start. */
    private final BooleanSupplier stopWaiting = new BooleanSupplier() {
        @Override
        public boolean getAsBoolean() {
            return aborted;
        }
    };
    /** Set once termination begins: its deadline ({@code System.nanoTime()}), which bounds every exchange after. */
    private volatile boolean terminating;
    private volatile long terminationDeadline;
    /** The termination under way queued {@code end}, not a crash report. */
    private volatile boolean endingCleanly;

    private volatile Thread beatThread;
    private volatile boolean hangPaused;
    /** Hang watchdog state, touched by the watchdog thread only. */
    private boolean hung;
    private long hangBeat;

    /** What a pipeline needs to know of its session's options. */
    public static final class Settings {
        final String product;
        final String version;
        final Map<String, String> attributes;
        final long hangTimeoutMs;
        final boolean hangDetection;
        final long flushIntervalNanos;
        final long metricsIntervalNanos;
        final long syncTimeoutNanos;

        public Settings(String product, String version, Map<String, String> attributes, long hangTimeoutMs,
                        boolean hangDetection, long flushIntervalNanos, long metricsIntervalNanos,
                        long syncTimeoutNanos) {
            this.product = product;
            this.version = version;
            this.attributes = attributes;
            this.hangTimeoutMs = hangTimeoutMs;
            this.hangDetection = hangDetection;
            this.flushIntervalNanos = flushIntervalNanos;
            this.metricsIntervalNanos = metricsIntervalNanos;
            this.syncTimeoutNanos = syncTimeoutNanos;
        }
    }

    public Pipeline(String sessionId, Settings settings, DaemonHandle daemon) {
        this.sessionId = sessionId;
        this.settings = settings;
        this.daemon = daemon;
        this.encoder = new RecordEncoder(sessionId, batch);
        this.sender = new Thread(new Runnable() {
            @Override
            public void run() {
                runSender();
            }
        }, "datacat-sender-" + sessionId.substring(0, Math.min(8, sessionId.length())));
        sender.setDaemon(true);
    }

    /** Starts the sender thread; the session's first record ({@code session_start}) goes first. */
    public void start() {
        Pipelines.register(this);
        daemon.sessionStarted();
        sender.start();
    }

    public String sessionId() {
        return sessionId;
    }

    public long hangTimeoutMs() {
        return settings.hangTimeoutMs;
    }

    public boolean hangDetection() {
        return settings.hangDetection;
    }

    /** Adds a way in; the first front added receives the session's reports. */
    public synchronized Front addFront(int queueSize, boolean dropOnFull, boolean synchronous) {
        Front f = new Front(this, queueSize, dropOnFull, synchronous);
        Front[] old = fronts;
        Front[] grown = Arrays.copyOf(old, old.length + 1);
        grown[old.length] = f;
        fronts = grown;
        return f;
    }

    // ---------------------------------------------------------------- caller side

    /** True once {@code end}, {@code shutdown} or a crash report began: further calls are ignored. */
    public boolean closing() {
        return caller.closing();
    }

    /** What callers read on every call, apart from the fields the sender writes. */
    public CallerSide caller() {
        return caller;
    }

    boolean stopping() {
        return stopRequested;
    }

    boolean daemonStartFailing() {
        return daemon.startFailing();
    }

    public void countIgnoredAfterEnd() {
        ignoredByCaller.increment();
    }

    public void countDroppedUnclaimed() {
        droppedUnclaimed.increment();
    }

    /** A claimed position whose call could not be copied: the sender skips it. */
    public void countDroppedClaimed() {
        droppedClaimed.increment();
    }

    void wakeSender() {
        LockSupport.unpark(sender);
    }

    /** A heartbeat from another thread than the last: the watchdog reports a hang with this thread's stack. */
    void heartbeatThread(Thread current) {
        beatThread = current;
    }

    public long lastBeat() {
        return caller.lastBeat();
    }

    public Thread beatThread() {
        return beatThread;
    }

    public boolean hangPaused() {
        return hangPaused;
    }

    /** Watchdog thread only: true while a hang is reported and not yet recovered. */
    public boolean hungState() {
        return hung;
    }

    /** Watchdog thread only: the last heartbeat before the reported hang. */
    public long hangBeat() {
        return hangBeat;
    }

    /** Watchdog thread only. */
    public void setHung(boolean hung, long lastBeatBeforeHang) {
        this.hung = hung;
        this.hangBeat = lastBeatBeforeHang;
    }

    public void pauseHangDetection() {
        hangPaused = true;
    }

    public void resumeHangDetection() {
        if (caller.lastBeat() != 0) {
            // Resuming after a loading screen must not count the pause as silence.
            caller.beat();
        }
        hangPaused = false;
    }

    /** Queues a hang or recovered report from the watchdog (never dropped for a full queue). */
    public void report(Report report) {
        publishControl(SlotKind.REPORT, report, null, System.nanoTime() + 100_000_000L);
    }

    /** Logs an exception nobody caught (level critical), from the uncaught-exception handler. */
    public void logUncaught(Thread thread, Throwable error) {
        Map<String, Object> data = new LinkedHashMap<String, Object>();
        data.put("uncaught", Boolean.TRUE);
        data.put("thread", thread.getName());
        publishControl(SlotKind.UNCAUGHT_EXCEPTION, error, data, System.nanoTime() + 100_000_000L);
    }

    private boolean publishControl(byte kind, Object ref, Map<String, Object> data, long deadline) {
        Front f = primaryFront();
        if (f == null || finished) {
            return false;
        }
        long p = f.claimReserved(deadline);
        if (p < 0) {
            return false;
        }
        controlClaims.incrementAndGet();
        RecordRing r = f.ring();
        int i = r.index(p);
        try {
            r.fill(i, kind, (byte) Level.CRITICAL.ordinal(), Clock.micros(), 0, null, ref);
            if (data != null) {
                r.docFor(p).copyMap(data);
            }
        } finally {
            r.publish(p);
            wakeSender();
        }
        return true;
    }

    private Front primaryFront() {
        Front[] fs = fronts;
        return fs.length == 0 ? null : fs[fs.length - 1];
    }

    /**
     * Waits until everything logged before this call is acked by the daemon (aggregated
     * metrics included), or until the timeout.
     */
    public boolean flush(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        long ticket = flushRequests.incrementAndGet();
        wakeSender();
        synchronized (monitor) {
            while (flushDone < ticket && !finished && !aborted) {
                if (!waitUntil(deadline)) {
                    return false;
                }
            }
        }
        return flushDone >= ticket || finished;
    }

    /**
     * Ends the session: {@code end} (report == null) or a crash report, then delivers what is
     * queued. Returns within {@code timeoutNanos}; true when everything reached the daemon.
     * Whatever could not be delivered in time is counted as dropped.
     */
    public boolean terminate(Report crash, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        beginTermination(crash, deadline);
        return awaitTermination(deadline);
    }

    /** Queues the end or crash record unless the session is already ending. */
    public void beginTermination(Report crash, long deadline) {
        if (caller.close()) {
            terminationDeadline = deadline;
            endingCleanly = crash == null;
            terminating = true;
            if (!publishControl(crash == null ? SlotKind.END : SlotKind.REPORT, crash, null, deadline)) {
                lastError = "no room to queue the session's end before the timeout";
            }
        }
    }

    /** Waits for the end or crash record to be acked, then stops the sender; see {@link #terminate}. */
    public boolean awaitTermination(long deadline) {
        wakeSender();
        synchronized (monitor) {
            while (!finished && !aborted) {
                if (!waitUntil(deadline)) {
                    break;
                }
            }
        }
        boolean delivered = finished && !terminalRefused;
        stopRequested = true;
        if (!delivered && endingCleanly) {
            // The app ended the session: its daemon must not take the app's exit for a kill.
            daemon.noteEndNotDelivered(sessionId);
        }
        if (!delivered) {
            aborted = true;
            HttpConnection c = connection;
            if (c != null) {
                c.close();
            }
        }
        wakeSender();
        synchronized (monitor) {
            if (!settled) {
                settled = true;
                droppedClaimed.add(queued());
                daemon.sessionEnded();
                monitor.notifyAll();
            }
        }
        Pipelines.unregister(this);
        return delivered;
    }

    /** Waits on the monitor until notified or the deadline; false once the deadline passed. */
    private boolean waitUntil(long deadline) {
        long ms = (deadline - System.nanoTime()) / 1_000_000L;
        if (ms <= 0) {
            return false;
        }
        try {
            monitor.wait(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    /**
     * A synchronous front's call returns once its record is handled (or the sync timeout
     * passed), or at once while no daemon can start: the record then stays queued.
     */
    void awaitHandled(Front f, long position) {
        if (unanswered) {
            return;
        }
        long deadline = System.nanoTime() + settings.syncTimeoutNanos;
        synchronized (monitor) {
            while (f.progress.handledThrough <= position && !finished && !aborted && !daemon.startFailing()) {
                if (!waitUntil(deadline)) {
                    unanswered = true;
                    return;
                }
            }
        }
    }

    public Stats stats() {
        long dropped = droppedUnclaimed.sum() + droppedClaimed.sum();
        return new Stats(sent, dropped, settled ? 0 : queued(), ignoredByCaller.sum() + ignoredBySender, truncated,
                daemon.restarts(), lastError != null ? lastError : daemon.lastError());
    }

    private long queued() {
        long claimed = 0;
        for (Front f : fronts) {
            claimed += f.ring().claimed();
        }
        long q = claimed - controlClaims.get() - sent - droppedClaimed.sum() - ignoredBySender;
        return Math.max(0, q);
    }

    // ---------------------------------------------------------------- sender thread

    private void runSender() {
        try {
            writeIntroduction();
            resetBatch();
            long now = System.nanoTime();
            // Due at once: the first delivery introduces the session to the daemon.
            long lastSend = now - KEEPALIVE_NANOS;
            long nextResync = now + 1_000_000_000L;
            long nextMetrics = now + settings.metricsIntervalNanos;
            metricsIntervalStart = now;
            while (!aborted) {
                long ticket = flushRequests.get();
                if (ticket > flushServing) {
                    flushServing = ticket;
                    for (Front f : fronts) {
                        f.progress.flushTarget = f.ring().claimed();
                    }
                }
                int drained = drainAll();
                now = System.nanoTime();
                if (now - nextResync >= 0) {
                    Clock.resync();
                    nextResync = now + 1_000_000_000L;
                }
                boolean flushing = flushServing > flushDone;
                // Metrics intervals follow each other whether or not they saw data, so an
                // aggregate covers one interval (its interval_ms), never the silence before it.
                if (now - nextMetrics >= 0 || flushing && aggregator.hasData()) {
                    emitAggregates(now);
                    nextMetrics = now + settings.metricsIntervalNanos;
                }
                if (batchRecords > 0 || now - lastSend >= KEEPALIVE_NANOS) {
                    if (!deliver()) {
                        return;
                    }
                    lastSend = System.nanoTime();
                }
                if (batchRecords == 0) {
                    markDrainedHandled();
                }
                if (flushing && flushReached()) {
                    completeFlush(flushServing);
                }
                if (endEncoded && batchRecords == 0) {
                    synchronized (monitor) {
                        finished = true;
                        monitor.notifyAll();
                    }
                    return;
                }
                if (drained == 0 && flushRequests.get() == flushServing) {
                    LockSupport.parkNanos(this, settings.flushIntervalNanos);
                }
            }
        } catch (Throwable t) {
            lastError = "DataCat sender stopped: " + t;
            synchronized (monitor) {
                aborted = true;
                monitor.notifyAll();
            }
        } finally {
            // An ended session keeps no connection to its daemon open.
            HttpConnection c = connection;
            if (c != null) {
                c.close();
            }
        }
    }

    /** With no batch in flight, every drained position is handled (skipped, aggregated or acked). */
    private void markDrainedHandled() {
        boolean moved = false;
        for (Front f : fronts) {
            long drained = f.ring().drained();
            if (f.progress.handledThrough < drained) {
                f.progress.handledThrough = drained;
                moved = true;
            }
        }
        if (moved) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    private boolean flushReached() {
        for (Front f : fronts) {
            if (f.ring().drained() < f.progress.flushTarget || f.progress.handledThrough < f.progress.flushTarget) {
                return false;
            }
        }
        return !aggregator.hasData();
    }

    private void completeFlush(long ticket) {
        synchronized (monitor) {
            flushDone = ticket;
            monitor.notifyAll();
        }
    }

    private int drainAll() {
        int total = 0;
        for (Front f : fronts) {
            currentFront = f;
            while (!endEncoded && wantsMore()) {
                int n = f.ring().drain(this, Math.min(DRAIN_CHUNK, MAX_BATCH_RECORDS - batchRecords));
                total += n;
                if (n == 0) {
                    break;
                }
            }
            if (endEncoded) {
                // Calls that raced with end(): counted as ignored, like calls made after it.
                total += f.ring().drain(this, Integer.MAX_VALUE);
            }
        }
        currentFront = null;
        return total;
    }

    /**
     * Whether the batch has room for another record: checked before each slot, not per chunk.
     * After the end, slots only count as ignored, so there is always room for them.
     */
    @Override
    public boolean wantsMore() {
        return endEncoded || batchRecords < MAX_BATCH_RECORDS && batch.length() < MAX_BATCH_BYTES;
    }

    @Override
    public void onSlot(RecordRing r, int i, long position) {
        byte kind = r.kind(i);
        if (kind == SlotKind.NONE) {
            return;
        }
        boolean userCall = kind != SlotKind.END && kind != SlotKind.REPORT && kind != SlotKind.UNCAUGHT_EXCEPTION;
        if (endEncoded) {
            if (userCall) {
                ignoredBySender++;
            }
            return;
        }
        if (kind == SlotKind.METRIC || kind == SlotKind.METRIC_HANDLE) {
            if (aggregate(r, i)) {
                return;
            }
        }
        boolean terminal = kind == SlotKind.END
                || kind == SlotKind.REPORT && ((Report) r.ref(i)).type() == Report.Type.CRASH;
        if (terminal) {
            // Metrics aggregated so far belong before the session's last record.
            emitAggregates(System.nanoTime());
        }
        int mark = batch.length();
        int depth = batch.depth();
        boolean comma = batch.needsComma();
        try {
            switch (kind) {
                case SlotKind.EVENT:
                    encoder.event(nextSeq, r, i);
                    break;
                case SlotKind.EVENT_OBJECT:
                    encoder.event(nextSeq, r.ts(i), (Event) r.ref(i));
                    break;
                case SlotKind.EXCEPTION:
                case SlotKind.UNCAUGHT_EXCEPTION:
                    encoder.exception(nextSeq, r, i);
                    break;
                case SlotKind.METRIC:
                case SlotKind.METRIC_HANDLE:
                    encoder.metric(nextSeq, r, i);
                    break;
                case SlotKind.STATE:
                    encoder.state(nextSeq, r, i);
                    break;
                case SlotKind.END:
                    encoder.end(nextSeq, r.ts(i));
                    break;
                default:
                    encoder.report(nextSeq, r.ts(i), (Report) r.ref(i));
            }
        } catch (Throwable e) {
            // Errors too: the caller's objects run code here (toString, getMessage), and one
            // record that cannot be written must not stop the sender.
            dropEncoded(mark, depth, comma, userCall, "a record could not be encoded and was dropped: " + e);
            return;
        }
        if (batch.length() - mark > MAX_RECORD_BYTES) {
            dropEncoded(mark, depth, comma, userCall, "a record of " + (batch.length() - mark)
                    + " bytes was dropped: records are limited to " + MAX_RECORD_BYTES + " bytes of JSON");
            return;
        }
        if (encoder.lastWasTruncated()) {
            truncated++;
        }
        nextSeq++;
        if (terminal) {
            endEncoded = true;
            batchHasTerminal = true;
            terminalRecord = batchRecords;
        }
        track(mark, userCall ? 1 : 0);
    }

    private void dropEncoded(int mark, int depth, boolean comma, boolean userCall, String why) {
        batch.truncateTo(mark, depth, comma);
        if (userCall) {
            droppedClaimed.increment();
        }
        lastError = why;
    }

    /** Adds a counter/histogram/timer call of an asynchronous front to its aggregate. */
    private boolean aggregate(RecordRing r, int i) {
        if (currentFront.synchronous()) {
            return false;
        }
        MetricKey key = r.kind(i) == SlotKind.METRIC_HANDLE ? (MetricKey) r.ref(i) : null;
        byte type = key != null ? key.kind() : r.code(i);
        if (!MetricKind.aggregated(type)) {
            return false;
        }
        Aggregate a = key != null ? aggregator.forKey(key) : aggregator.forCall(type, r.name(i), r.tagsOrNull(i));
        if (a == null) {
            return false;
        }
        a.add(r.value(i), r.ts(i));
        return true;
    }

    /** Writes the aggregates that saw calls since the metrics interval began, and begins the next. */
    private void emitAggregates(long now) {
        long intervalMs = Math.max(1, (now - metricsIntervalStart + 999_999) / 1_000_000);
        metricsIntervalStart = now;
        List<Aggregate> all = aggregator.all();
        for (int i = 0, n = all.size(); i < n; i++) {
            Aggregate a = all.get(i);
            if (a.isEmpty()) {
                continue;
            }
            int start = batch.length();
            encoder.aggregate(nextSeq++, a, intervalMs);
            track(start, a.calls());
            a.reset();
        }
    }

    /** Counts a record just written into the batch from {@code start} on, carrying {@code calls} calls. */
    private void track(int start, long calls) {
        if (batchRecords == recordStart.length) {
            recordStart = Arrays.copyOf(recordStart, batchRecords * 2);
            recordCalls = Arrays.copyOf(recordCalls, batchRecords * 2);
        }
        recordStart[batchRecords] = start;
        recordCalls[batchRecords] = calls;
        batchRecords++;
        batchCalls += calls;
    }

    /**
     * Takes record {@code k} out of the sealed batch, counting its calls as dropped, so that the
     * rest can be resent: one record the daemon refuses must not cost the whole batch.
     */
    private void cutRecord(int k) {
        long calls = recordCalls[k];
        int from = recordStart[k];
        int to = k + 1 < batchRecords ? recordStart[k + 1] : recordsEnd;
        if (k == 0 && batchRecords > 1) {
            to++; // the next record's comma, which would now lead the array
        }
        int removed = to - from;
        batch.cut(from, to);
        for (int j = k + 1; j < batchRecords; j++) {
            recordStart[j - 1] = recordStart[j] - removed;
            recordCalls[j - 1] = recordCalls[j];
        }
        if (k == 0 && batchRecords > 1) {
            recordStart[0] = from;
        }
        recordsEnd -= removed;
        batchRecords--;
        batchCalls -= calls;
        droppedClaimed.add(calls);
        // Sealed again, so the session's client_dropped counts the call just cut.
        batch.truncateTo(recordsEnd, recordsDepth, batchRecords > 0);
        seal();
        if (k == terminalRecord) {
            // The batch still settles the session's ending, but shutdown() reports it failed.
            terminalRefused = true;
            terminalRecord = -1;
        } else if (k < terminalRecord) {
            terminalRecord--;
        }
    }

    private void writeIntroduction() {
        Map<String, Object> attrs = new HashMap<String, Object>(settings.attributes);
        attrs.put("java_version", System.getProperty("java.version"));
        attrs.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        String errorFile = errorFileOption();
        if (errorFile != null) {
            attrs.put("hs_err_path", errorFile);
        }
        RecordEncoder.SessionInfo info = new RecordEncoder.SessionInfo(settings.product, settings.version,
                ProcessInfo.hostname(), ProcessInfo.machineId(), ProcessInfo.pid(), CLIENT,
                System.getProperty("user.dir"), settings.hangDetection ? settings.hangTimeoutMs : 0, attrs);
        RecordEncoder intro = new RecordEncoder(sessionId, introduction);
        introduction.beginObject().name("records").beginArray();
        intro.sessionStart(nextSeq++, createdAt, info);
        introduction.endArray().endObject();
    }

    /** Where the JVM writes its fatal error log when told so ({@code -XX:ErrorFile}), for the daemon. */
    private static String errorFileOption() {
        try {
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("-XX:ErrorFile=")) {
                    return arg.substring("-XX:ErrorFile=".length());
                }
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    private void resetBatch() {
        batch.reset();
        batch.beginObject().name("records").beginArray();
        batchRecords = 0;
        batchCalls = 0;
        batchHasTerminal = false;
        terminalRecord = -1;
    }

    /** Seals the current batch and delivers it; false only when the pipeline was aborted. */
    private boolean deliver() {
        for (Front f : fronts) {
            f.progress.drainedAtSeal = f.ring().drained();
        }
        recordsEnd = batch.length();
        recordsDepth = batch.depth();
        seal();
        boolean keepAliveOnly = batchRecords == 0;
        long pause = 50_000_000L;
        for (;;) {
            if (aborted) {
                return false;
            }
            Outcome o = post();
            if (o == Outcome.REFUSED && refusedRecord >= 0) {
                cutRecord(refusedRecord);
                continue;
            }
            if (o == Outcome.ACKED || o == Outcome.REFUSED) {
                settle(o == Outcome.ACKED);
                resetBatch();
                return true;
            }
            if (keepAliveOnly) {
                resetBatch();
                return true;
            }
            LockSupport.parkNanos(this, pause);
            pause = Math.min(MAX_RETRY_PAUSE_NANOS, pause * 2);
        }
    }

    /** Closes the batch's records and adds the session's counters (the batch ends here). */
    private void seal() {
        long beat = lastBeat();
        batch.endArray();
        batch.name("sessions").beginObject().name(sessionId).beginObject()
                .field("client_dropped", droppedUnclaimed.sum() + droppedClaimed.sum())
                .field("last_heartbeat", beat == 0 ? 0 : Clock.microsAt(beat))
                .name("hang_paused").value(hangPaused)
                .endObject().endObject();
        batch.endObject();
    }

    private void settle(boolean acked) {
        synchronized (monitor) {
            if (settled) {
                // terminate() timed out and already counted what was in flight as dropped.
                return;
            }
            if (acked) {
                sent += batchCalls;
            } else {
                droppedClaimed.add(batchCalls);
            }
            for (Front f : fronts) {
                f.progress.handledThrough = f.progress.drainedAtSeal;
            }
            if (batchHasTerminal) {
                terminalRefused |= !acked;
                finished = true;
            }
            monitor.notifyAll();
        }
    }

    private enum Outcome { ACKED, REFUSED, RETRY }

    private Outcome post() {
        long deadline = System.nanoTime() + EXCHANGE_TIMEOUT_NANOS;
        if (terminating && terminationDeadline - deadline < 0) {
            // Finding or starting a daemon must not outlast shutdown's own timeout.
            deadline = terminationDeadline;
        }
        int port;
        try {
            port = daemon.ensure(deadline, stopWaiting);
        } catch (IOException e) {
            lastError = "daemon unavailable: " + e.getMessage();
            if (daemon.startFailing()) {
                // Synchronous calls waiting for an ack stop waiting: none can come before the next start.
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            }
            return Outcome.RETRY;
        }
        HttpConnection c = connection;
        if (c == null || c.port() != port) {
            if (c != null) {
                c.close();
            }
            c = new HttpConnection(port);
            connection = c;
        }
        int generation = daemon.generation();
        if (generation != introducedTo) {
            Outcome intro = exchange(c, port, introduction, 1);
            if (intro == Outcome.RETRY) {
                return intro;
            }
            introducedTo = generation;
        }
        return exchange(c, port, batch, batchRecords);
    }

    /**
     * The index of the record a refusal names ({@code "field": "records[12].name"}), or -1 when
     * it names none or one outside the batch.
     */
    static int refusedRecord(String body, int records) {
        int field = body == null ? -1 : body.indexOf("\"field\"");
        int at = field < 0 ? -1 : body.indexOf("\"records[", field);
        if (at < 0) {
            return -1;
        }
        long index = 0;
        int i = at + "\"records[".length();
        int digits = 0;
        for (; i < body.length() && digits < 10 && Character.isDigit(body.charAt(i)); i++, digits++) {
            index = index * 10 + (body.charAt(i) - '0');
        }
        boolean closed = i < body.length() && body.charAt(i) == ']';
        return digits > 0 && closed && index < records ? (int) index : -1;
    }

    private Outcome exchange(HttpConnection c, int port, JsonWriter body, int records) {
        refusedRecord = -1;
        try {
            HttpConnection.Response r = c.exchange("POST", "/v1/batch", body.buffer(), body.length(),
                    (int) (EXCHANGE_TIMEOUT_NANOS / 1_000_000L));
            if (r.status / 100 == 2) {
                lastError = null;
                unanswered = false;
                return Outcome.ACKED;
            }
            lastError = "daemon answered " + r.status + ": " + r.body;
            if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
                // Retrying a batch the daemon refuses would block the session forever.
                if (body == batch && r.status == 400) {
                    refusedRecord = refusedRecord(r.body, records);
                }
                warnOnce("DataCat: the daemon refused " + (refusedRecord >= 0 ? "a record" : "a batch of " + records
                        + " records") + " (" + r.status + "): " + r.body);
                return Outcome.REFUSED;
            }
            return Outcome.RETRY;
        } catch (IOException e) {
            daemon.connectionFailed(port);
            lastError = "daemon connection failed: " + e.getMessage();
            return Outcome.RETRY;
        }
    }

    private void warnOnce(String message) {
        if (!warnedRefusal) {
            warnedRefusal = true;
            System.err.println(message);
        }
    }
}

package io.datacat.daemon.spool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.Log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The durable spool: this daemon's own log plus the logs it adopted from dead daemons, in
 * delivery order (adopted ones first, oldest first, so each session's records reach the server
 * in the order they were acked). Enforces the byte and age bounds by evicting everything but
 * the records that tell a session's fate.
 */
public final class Spool implements Closeable {
    public static final String REJECTED_DIR = "rejected";

    /**
     * @param root     the spool root (config {@code spool_dir})
     * @param maxBytes the byte bound (config {@code spool_max_bytes})
     * @param maxAge   the age bound (config {@code spool_max_age_seconds})
     * @param fsync    the fsync policy (config {@code spool_fsync})
     */
    public record Options(Path root, long maxBytes, Duration maxAge, FsyncPolicy fsync) {
        /** Segments are a sixteenth of the bound, between 64 KiB and 4 MiB: eviction works a segment at a time. */
        public long segmentBytes() {
            return Math.max(64 * 1024, Math.min(4 * 1024 * 1024, maxBytes / 16));
        }
    }

    private record Adopted(SpoolLog log, SpoolDirs.Locked lock) {
    }

    private final Options options;
    private final SpoolDirs.Locked ownLock;
    private final SpoolLog own;
    private final EvictionLedger ledger;
    private final List<Adopted> adopted = new CopyOnWriteArrayList<>();
    private final Object evictionLock = new Object();
    private volatile Runnable appendListener = () -> { };
    private long lastStuckWarningMillis;
    private boolean closed;

    private Spool(Options options, SpoolDirs.Locked ownLock) {
        this.options = options;
        this.ownLock = ownLock;
        this.own = SpoolLog.create(ownLock.dir(), options.fsync(), options.segmentBytes());
        this.ledger = new EvictionLedger(ownLock.dir());
    }

    /** Creates this daemon's directory under the root and locks it. Adoption is a separate step. */
    public static Spool open(Options options) throws IOException {
        return new Spool(options, SpoolDirs.createOwn(options.root()));
    }

    public Path ownDir() {
        return own.dir();
    }

    public Path rejectedDir() {
        return own.dir().resolve(REJECTED_DIR);
    }

    public EvictionLedger evictions() {
        return ledger;
    }

    /** Called after every append, e.g. to wake the forwarder. */
    public void onAppend(Runnable listener) {
        appendListener = listener;
    }

    /** Appends validated records and returns once they are as durable as the fsync policy promises. */
    public SpoolPosition append(List<ObjectNode> records) throws IOException {
        return appendFrames(FramePayload.encode(records));
    }

    /**
     * Appends frames already encoded (one client batch); durable as the fsync policy promises on
     * return. Returns the position right after them in this daemon's own log.
     */
    public SpoolPosition appendFrames(List<FramePayload.Encoded> frames) throws IOException {
        SpoolPosition end = own.append(frames);
        if (bytes() > options.maxBytes()) {
            enforceBounds();
        }
        appendListener.run();
        return end;
    }

    /** Waits until the server has every frame this daemon spooled before {@code through}, at most until {@code deadline}. */
    public boolean awaitDelivered(SpoolPosition through, long deadline) throws InterruptedException {
        return own.awaitAcked(through, deadline);
    }

    /** The logs in delivery order: adopted ones (oldest first), then this daemon's own. */
    public List<SpoolLog> logs() {
        List<SpoolLog> logs = new ArrayList<>();
        adopted.forEach(a -> logs.add(a.log()));
        logs.add(own);
        return logs;
    }

    public boolean isOwn(SpoolLog log) {
        return log == own;
    }

    /**
     * Takes over the directories of dead daemons under the root (their LOCK could be locked):
     * repairs their torn tails and queues them for delivery before this daemon's own data.
     * Returns how many were adopted.
     */
    public synchronized int adoptDeadSiblings() {
        if (closed) {
            return 0;
        }
        List<SpoolDirs.Locked> dead;
        try {
            dead = SpoolDirs.lockDeadSiblings(options.root(), own.dir());
        } catch (IOException e) {
            Log.error("cannot scan the spool root " + options.root() + " for dead daemons' spools", e);
            return 0;
        }
        for (SpoolDirs.Locked lock : dead) {
            try {
                SpoolLog log = SpoolLog.open(lock.dir(), options.fsync(), options.segmentBytes());
                ledger.absorb(lock.dir());
                adopted.add(new Adopted(log, lock));
                Log.info("adopted the spool of a dead daemon, " + lock.dir() + ": " + log.pendingRecords()
                        + " records (" + log.bytes() + " bytes) to deliver before this daemon's own");
            } catch (IOException e) {
                Log.error("cannot adopt the spool " + lock.dir() + "; leaving it for another daemon", e);
                closeQuietly(lock);
            }
        }
        return dead.size();
    }

    /** Deletes an adopted log the server has fully acked, keeping its rejected frames in this daemon's folder. */
    public synchronized void retire(SpoolLog log) throws IOException {
        Adopted a = adopted.stream().filter(x -> x.log() == log).findFirst().orElse(null);
        if (a == null || !log.drained()) {
            return;
        }
        adopted.remove(a);
        log.deleteFiles();
        Path theirRejected = log.dir().resolve(REJECTED_DIR);
        if (Files.isDirectory(theirRejected)) {
            Files.createDirectories(rejectedDir());
            try (DirectoryStream<Path> files = Files.newDirectoryStream(theirRejected)) {
                for (Path f : files) {
                    Files.move(f, rejectedDir().resolve(log.dir().getFileName() + "-" + f.getFileName()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.deleteIfExists(log.dir().resolve(SpoolDirs.LOCK_FILE));
        closeQuietly(a.lock());
        SpoolDirs.deleteTree(log.dir());
        Log.info("delivered and removed the adopted spool " + log.dir());
    }

    /**
     * Applies the bounds: while the spool is over {@code maxBytes}, or holds a segment older
     * than {@code maxAge}, rewrites the oldest segment that is not being written or forwarded
     * so it keeps only session_start, end, crash, hang and recovered records.
     */
    public void enforceBounds() {
        synchronized (evictionLock) {
            long ageCutoff = System.currentTimeMillis() - options.maxAge().toMillis();
            try {
                own.rollIfOlderThan(ageCutoff);
                while (true) {
                    long total = bytes();
                    boolean overBytes = total > options.maxBytes();
                    SpoolLog.Compaction done = null;
                    for (SpoolLog log : logs()) {
                        done = log.compactOldest(overBytes ? Long.MAX_VALUE : ageCutoff, ledger::add);
                        if (done != null) {
                            break;
                        }
                    }
                    if (done == null) {
                        if (overBytes) {
                            warnStuck(total);
                        }
                        return;
                    }
                    if (done.removedRecords() > 0) {
                        Log.warn("spool " + (overBytes ? "holds " + total + " bytes, over spool_max_bytes "
                                + options.maxBytes() : "holds data older than spool_max_age_seconds "
                                + options.maxAge().toSeconds()) + ": evicted " + done.removedRecords()
                                + " records from segment " + done.segment() + " (" + summary(done.removed())
                                + "); session starts, ends, crashes and hangs are kept; the counts reach the "
                                + "server as spool_evicted");
                    }
                }
            } catch (IOException e) {
                Log.error("spool eviction failed; the spool may stay over its bounds until the next try", e);
            }
        }
    }

    private void warnStuck(long total) {
        long now = System.currentTimeMillis();
        if (now - lastStuckWarningMillis > 60_000) {
            lastStuckWarningMillis = now;
            Log.warn("spool holds " + total + " bytes, over spool_max_bytes " + options.maxBytes()
                    + ", and nothing more can be evicted: the rest is the segment being forwarded, the segment "
                    + "being written, or session start/end/crash/hang records");
        }
    }

    private static String summary(Map<String, Long> removed) {
        String shown = removed.entrySet().stream().limit(5).map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
        return removed.size() > 5 ? shown + ", and " + (removed.size() - 5) + " more sessions" : shown;
    }

    public long bytes() {
        return logs().stream().mapToLong(SpoolLog::bytes).sum();
    }

    public long pendingRecords() {
        return logs().stream().mapToLong(SpoolLog::pendingRecords).sum();
    }

    /** True when the server has acked every frame of every log. */
    public boolean drained() {
        return logs().stream().allMatch(SpoolLog::drained);
    }

    /** The background fsync of {@link FsyncPolicy#INTERVAL}. */
    public void forceIfDirty() {
        try {
            own.forceIfDirty();
        } catch (IOException e) {
            Log.error("spool fsync failed", e);
        }
    }

    /**
     * Stops appends, forces what was written and releases the locks. When everything was
     * delivered the directory is removed (except rejected frames, kept for inspection);
     * otherwise it stays for the next daemon to adopt.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException closeFailure = null;
        try {
            own.close();
        } catch (IOException e) {
            // Still release the locks, and remove the directory if everything was delivered.
            closeFailure = e;
        }
        for (Adopted a : adopted) {
            if (a.log().drained()) {
                retire(a.log());
            }
        }
        for (Adopted a : adopted) {
            closeQuietly(a.lock());
        }
        boolean drained = own.drained();
        if (drained) {
            own.deleteFiles();
            Files.deleteIfExists(own.dir().resolve(EvictionLedger.FILE));
            Files.deleteIfExists(own.dir().resolve(SpoolDirs.LOCK_FILE));
        }
        closeQuietly(ownLock);
        if (drained) {
            if (Files.isDirectory(rejectedDir())) {
                Log.info("rejected frames are kept in " + rejectedDir());
            } else {
                SpoolDirs.deleteTree(own.dir());
            }
        } else {
            Log.info("left " + own.pendingRecords() + " undelivered records (" + own.bytes() + " bytes) in "
                    + own.dir() + "; the next daemon started on this machine delivers them");
        }
        if (closeFailure != null) {
            throw closeFailure;
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            Log.warn("cannot release " + c + ": " + e.getMessage());
        }
    }
}

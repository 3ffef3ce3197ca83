package io.datacat.daemon.spool;

import io.datacat.daemon.Log;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The frames of one daemon directory: numbered segment files ({@code 0000000001-<created
 * millis>.seg}) plus {@code cursor}, the position up to which the server has acked.
 *
 * <p>Invariants: frames are only appended, to the last segment (the active one) and only by
 * the daemon that owns the directory; bytes up to a segment's committed size are whole frames;
 * segments before the cursor's are deleted; a segment is rewritten (evicted) only when it is
 * sealed, beyond the cursor and beyond anything the forwarder has read, so offsets the
 * forwarder holds never move.
 */
public final class SpoolLog implements Closeable {
    private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{10})-(\\d+)\\.seg");
    private static final String CURSOR_FILE = "cursor";

    private final Path dir;
    private final FsyncPolicy fsync;
    private final long segmentBytes;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private Segment active;
    private FileChannel activeChannel;
    private SpoolPosition cursor = SpoolPosition.START;
    /** The highest segment the forwarder has read from; eviction stays above it. */
    private long readHighWater = -1;
    private long writes;
    private boolean closed;
    private volatile long bytes;
    private volatile long pendingRecords;

    private final Object syncLock = new Object();
    private long durableWrites;
    private boolean syncing;

    private static final class Segment {
        final long id;
        final long createdMillis;
        final Path path;
        long size;
        boolean compacted;

        Segment(long id, long createdMillis, Path path, long size) {
            this.id = id;
            this.createdMillis = createdMillis;
            this.path = path;
            this.size = size;
        }
    }

    /** What an eviction rewrite did. */
    public record Compaction(String segment, long bytesBefore, long bytesAfter, Map<String, Long> removed) {
        public long removedRecords() {
            return removed.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private SpoolLog(Path dir, FsyncPolicy fsync, long segmentBytes) {
        this.dir = dir;
        this.fsync = fsync;
        this.segmentBytes = segmentBytes;
    }

    /** A new, empty log in {@code dir} (which exists) that this daemon appends to. */
    public static SpoolLog create(Path dir, FsyncPolicy fsync, long segmentBytes) {
        return new SpoolLog(dir, fsync, segmentBytes);
    }

    /**
     * Opens a log another daemon left: truncates torn or corrupt tails (a daemon killed
     * mid-write), loads the cursor and counts the records still to deliver. It is only read.
     */
    public static SpoolLog open(Path dir, FsyncPolicy fsync, long segmentBytes) throws IOException {
        SpoolLog log = new SpoolLog(dir, fsync, segmentBytes);
        log.load();
        return log;
    }

    public Path dir() {
        return dir;
    }

    private void load() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.seg")) {
            for (Path p : files) {
                Matcher m = SEGMENT_NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    long id = Long.parseLong(m.group(1));
                    segments.put(id, new Segment(id, Long.parseLong(m.group(2)), p, Files.size(p)));
                }
            }
        }
        cursor = readCursor();
        long pending = 0;
        for (Segment s : new ArrayList<>(segments.values())) {
            pending += repair(s);
            if (s.size == 0) {
                Files.deleteIfExists(s.path);
                segments.remove(s.id);
            }
        }
        bytes = segments.values().stream().mapToLong(s -> s.size).sum();
        pendingRecords = pending;
    }

    private SpoolPosition readCursor() {
        Path file = dir.resolve(CURSOR_FILE);
        try {
            if (Files.exists(file)) {
                String[] parts = Files.readString(file).trim().split(" ");
                return new SpoolPosition(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            }
        } catch (IOException | RuntimeException e) {
            Log.warn("spool cursor " + file + " is unreadable (" + e + "); delivering " + dir
                    + " from its start (the server drops what it already has)");
        }
        return SpoolPosition.START;
    }

    /** Truncates a segment after its last whole frame; returns its records not yet acked. */
    private long repair(Segment s) throws IOException {
        long pending = 0;
        long offset = 0;
        boolean cursorOnBoundary = s.id != cursor.segment() || cursor.offset() == 0;
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FrameCodec.Raw frame;
            while ((frame = FrameCodec.read(ch, offset, s.size)) != null) {
                if (s.id == cursor.segment() && offset == cursor.offset()) {
                    cursorOnBoundary = true;
                }
                if (s.id > cursor.segment() || s.id == cursor.segment() && offset >= cursor.offset()) {
                    pending += FramePayload.decode(frame.version(), frame.payload()).records();
                }
                offset += FrameCodec.frameBytes(frame.payload());
            }
            if (offset < s.size) {
                Log.warn("spool segment " + s.path + ": truncated a torn or corrupt tail of " + (s.size - offset)
                        + " bytes at offset " + offset + " (a daemon was killed mid-write; that batch was never acked)");
                ch.truncate(offset);
                ch.force(true);
                s.size = offset;
            }
        }
        if (!cursorOnBoundary && cursor.offset() != s.size) {
            Log.warn("spool cursor " + cursor + " is not on a frame boundary; delivering segment " + s.path
                    + " again from its start");
            cursor = new SpoolPosition(s.id, 0);
            return repair(s);
        }
        return pending;
    }

    /**
     * Appends frames (one client batch) and returns once they are as durable as the fsync
     * policy promises. Frames of one call are contiguous.
     *
     * @return the position right after them
     */
    public SpoolPosition append(List<FramePayload.Encoded> frames) throws IOException {
        long ticket;
        SpoolPosition end;
        synchronized (this) {
            if (closed) {
                throw new ClosedChannelException();
            }
            for (FramePayload.Encoded frame : frames) {
                ByteBuffer buf = FrameCodec.encode(frame.bytes());
                if (activeChannel == null || active.size > 0 && active.size + buf.remaining() > segmentBytes) {
                    roll();
                }
                try {
                    writeAt(buf, active.size);
                } catch (IOException e) {
                    if (!dropDeliveredActive()) {
                        throw e;
                    }
                    buf.rewind();
                    writeAt(buf, active.size);
                }
                active.size += buf.capacity();
                bytes += buf.capacity();
                pendingRecords += frame.records();
            }
            ticket = ++writes;
            end = new SpoolPosition(active.id, active.size);
        }
        if (fsync == FsyncPolicy.ALWAYS) {
            awaitDurable(ticket);
        }
        return end;
    }

    private void writeAt(ByteBuffer buf, long position) throws IOException {
        try {
            long pos = position;
            while (buf.hasRemaining()) {
                pos += activeChannel.write(buf, pos);
            }
        } catch (IOException e) {
            // Drop the partial frame so the committed size stays the end of whole frames.
            try {
                activeChannel.truncate(position);
            } catch (IOException ignored) {
                // The next append overwrites from the committed size anyway.
            }
            throw e;
        }
    }

    private void roll() throws IOException {
        if (activeChannel != null) {
            if (fsync != FsyncPolicy.NEVER) {
                activeChannel.force(false);
            }
            activeChannel.close();
            activeChannel = null;
        }
        long id = segments.isEmpty() ? 1 : segments.lastKey() + 1;
        long now = System.currentTimeMillis();
        Path path = dir.resolve(String.format("%010d-%d.seg", id, now));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (fsync != FsyncPolicy.NEVER) {
            forceDirectory(dir);
        }
        Segment s = new Segment(id, now, path, 0);
        segments.put(id, s);
        active = s;
        activeChannel = ch;
    }

    /**
     * After a failed write (a full disk): when the server has acked everything in the active
     * segment, starts a new one and deletes it, so the space it held is free for the write to
     * retry. Segments before the active one are deleted as they are acked, so without this a
     * disk filled within one segment would stay full even once all of it was delivered.
     *
     * @return whether the active segment was dropped
     */
    private boolean dropDeliveredActive() throws IOException {
        SpoolPosition at = normalize(cursor);
        if (active == null || at.segment() != active.id || at.offset() < active.size) {
            return false;
        }
        Segment delivered = active;
        roll();
        segments.remove(delivered.id);
        bytes -= delivered.size;
        Files.deleteIfExists(delivered.path);
        return true;
    }

    /** Makes a new file's name durable (Linux needs an fsync of the directory for that). */
    static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory; the file's data is forced regardless.
        }
    }

    /** Group commit: one caller forces the file for every append written before it started. */
    private void awaitDurable(long ticket) throws IOException {
        while (true) {
            synchronized (syncLock) {
                while (syncing && durableWrites < ticket) {
                    try {
                        syncLock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for the spool fsync");
                    }
                }
                if (durableWrites >= ticket) {
                    return;
                }
                syncing = true;
            }
            long reached = 0;
            try {
                reached = forceNow();
            } finally {
                synchronized (syncLock) {
                    syncing = false;
                    durableWrites = Math.max(durableWrites, reached);
                    syncLock.notifyAll();
                }
            }
        }
    }

    /** Forces the active segment; returns the number of appends that are now durable. */
    private long forceNow() throws IOException {
        FileChannel ch;
        long target;
        synchronized (this) {
            ch = activeChannel;
            target = writes;
        }
        if (ch != null) {
            try {
                ch.force(false);
            } catch (ClosedChannelException e) {
                // A roll closed it after forcing it, which covered every append up to target.
            }
        }
        return target;
    }

    /** The background fsync of {@link FsyncPolicy#INTERVAL}: forces the active segment if it changed. */
    public void forceIfDirty() throws IOException {
        synchronized (syncLock) {
            synchronized (this) {
                if (writes == durableWrites || syncing) {
                    return;
                }
            }
            syncing = true;
        }
        long reached = 0;
        try {
            reached = forceNow();
        } finally {
            synchronized (syncLock) {
                syncing = false;
                durableWrites = Math.max(durableWrites, reached);
                syncLock.notifyAll();
            }
        }
    }

    /** The frame at {@code from} (or the first one after it), or null when there is none yet. */
    public Frame read(SpoolPosition from) throws IOException {
        Segment seg;
        SpoolPosition at;
        long end;
        synchronized (this) {
            at = normalize(from);
            seg = segments.get(at.segment());
            if (seg == null || at.offset() >= seg.size) {
                return null;
            }
            readHighWater = Math.max(readHighWater, seg.id);
            end = seg.size;
        }
        FrameCodec.Raw frame;
        try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ)) {
            frame = FrameCodec.read(ch, at.offset(), end);
        }
        if (frame != null) {
            return new Frame(at, new SpoolPosition(seg.id, at.offset() + FrameCodec.frameBytes(frame.payload())),
                    FramePayload.decode(frame.version(), frame.payload()));
        }
        // Only bit rot gets here (torn tails are truncated on open): skip to the segment's end
        // with an empty frame, so the forwarder acks past it instead of stalling forever.
        Log.error("spool segment " + seg.path + " is corrupt at offset " + at.offset() + ": skipping "
                + (end - at.offset()) + " bytes", null);
        return new Frame(at, new SpoolPosition(seg.id, end), FramePayload.Contents.EMPTY);
    }

    /** Where the next undelivered frame is. */
    public synchronized SpoolPosition cursor() {
        return cursor;
    }

    /** The server has acked everything before {@code next}, which held {@code records} records. */
    public void ack(SpoolPosition next, long records) throws IOException {
        List<Path> deletable = new ArrayList<>();
        SpoolPosition persisted;
        synchronized (this) {
            cursor = normalize(next);
            notifyAll();
            pendingRecords = drainedLocked() ? 0 : Math.max(0, pendingRecords - records);
            while (!segments.isEmpty() && segments.firstKey() < cursor.segment()) {
                Segment s = segments.pollFirstEntry().getValue();
                bytes -= s.size;
                deletable.add(s.path);
            }
            persisted = cursor;
        }
        for (Path p : deletable) {
            Files.deleteIfExists(p);
        }
        try {
            writeCursor(persisted);
        } catch (IOException e) {
            // A full disk: the cursor file can be replaced once the delivered segment is gone.
            synchronized (this) {
                if (!dropDeliveredActive()) {
                    throw e;
                }
                cursor = normalize(cursor);
                persisted = cursor;
            }
            writeCursor(persisted);
        }
    }

    private void writeCursor(SpoolPosition at) throws IOException {
        AtomicFiles.write(dir.resolve(CURSOR_FILE),
                (at.segment() + " " + at.offset()).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Waits until the server has acked every frame before {@code through}, at most until
     * {@code deadline} ({@code System.nanoTime()}).
     *
     * @return whether it has
     */
    public synchronized boolean awaitAcked(SpoolPosition through, long deadline) throws InterruptedException {
        while (normalize(cursor).compareTo(through) < 0 && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return normalize(cursor).compareTo(through) >= 0;
    }

    /** True when every frame has been acked by the server. */
    public synchronized boolean drained() {
        return drainedLocked();
    }

    private boolean drainedLocked() {
        SpoolPosition p = normalize(cursor);
        Segment s = segments.get(p.segment());
        return s == null || p.offset() >= s.size && segments.higherKey(s.id) == null;
    }

    /** Moves a position past the end of a sealed (or missing) segment to the start of the next one. */
    private SpoolPosition normalize(SpoolPosition pos) {
        SpoolPosition p = pos;
        while (true) {
            Segment s = segments.get(p.segment());
            if (s != null && (p.offset() < s.size || s == active)) {
                return p;
            }
            Long next = segments.higherKey(p.segment());
            if (next == null) {
                return p;
            }
            p = new SpoolPosition(next, 0);
        }
    }

    public long bytes() {
        return bytes;
    }

    public long pendingRecords() {
        return pendingRecords;
    }

    /** Seals the segment being written if it was created before {@code cutoffMillis}, so it can be evicted. */
    public synchronized void rollIfOlderThan(long cutoffMillis) throws IOException {
        if (!closed && active != null && active.size > 0 && active.createdMillis < cutoffMillis) {
            roll();
        }
    }

    /**
     * Evicts from the oldest segment created before {@code cutoffMillis} that is neither being
     * written nor being forwarded nor already evicted: rewrites it keeping only the records
     * whose kind is always kept, in their order. {@code beforeCommit} receives the removed
     * counts per session before the rewrite replaces the segment, so a crash can over-count
     * but never lose records silently. Returns null when no segment qualifies.
     */
    public synchronized Compaction compactOldest(long cutoffMillis, Consumer<Map<String, Long>> beforeCommit)
            throws IOException {
        Segment s = null;
        for (Segment candidate : segments.values()) {
            boolean inUse = candidate == active || candidate.id <= readHighWater || candidate.id < cursor.segment()
                    || candidate.id == cursor.segment() && cursor.offset() > 0;
            if (!inUse && !candidate.compacted && candidate.createdMillis < cutoffMillis) {
                s = candidate;
                break;
            }
        }
        if (s == null) {
            return null;
        }
        Path tmp = s.path.resolveSibling(s.path.getFileName() + ".evict");
        Map<String, Long> removed = new TreeMap<>();
        long before = s.size;
        long after = 0;
        try (FileChannel in = FileChannel.open(s.path, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            long offset = 0;
            FrameCodec.Raw frame;
            while (offset < s.size && (frame = FrameCodec.read(in, offset, s.size)) != null) {
                offset += FrameCodec.frameBytes(frame.payload());
                FramePayload.Contents contents = FramePayload.decode(frame.version(), frame.payload());
                List<FramePayload.RecordSlice> all = FramePayload.slices(contents);
                List<FramePayload.RecordSlice> kept = new ArrayList<>();
                for (FramePayload.RecordSlice r : all) {
                    if (r.kind() != null && r.kind().alwaysKept()) {
                        kept.add(r);
                    } else {
                        removed.merge(String.valueOf(r.sid()), 1L, Long::sum);
                    }
                }
                ByteBuffer buf = kept.size() == all.size() ? FrameCodec.encode(frame.version(), frame.payload())
                        : kept.isEmpty() && contents.counters().isEmpty() ? null
                        : FrameCodec.encode(FramePayload.withRecords(contents, kept));
                while (buf != null && buf.hasRemaining()) {
                    after += out.write(buf, after);
                }
            }
            if (fsync != FsyncPolicy.NEVER) {
                out.force(false);
            }
        }
        if (!removed.isEmpty()) {
            beforeCommit.accept(removed);
            Files.move(tmp, s.path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            bytes += after - before;
            s.size = after;
        } else {
            Files.delete(tmp);
        }
        s.compacted = true;
        Compaction result = new Compaction(s.path.getFileName().toString(), before, s.size, removed);
        pendingRecords = Math.max(0, pendingRecords - result.removedRecords());
        return result;
    }

    /** Forces what was written and stops appends. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // Wakes a compatible /end waiting for delivery: the daemon is stopping.
        notifyAll();
        if (activeChannel != null) {
            try {
                if (fsync != FsyncPolicy.NEVER) {
                    activeChannel.force(false);
                }
            } finally {
                activeChannel.close();
                activeChannel = null;
            }
        }
    }

    /** Deletes the segments and the cursor (after everything was delivered). */
    synchronized void deleteFiles() throws IOException {
        close();
        for (Segment s : segments.values()) {
            Files.deleteIfExists(s.path);
        }
        segments.clear();
        bytes = 0;
        pendingRecords = 0;
        Files.deleteIfExists(dir.resolve(CURSOR_FILE));
    }
}

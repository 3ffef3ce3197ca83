package io.datacat.daemon.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The daemon directories under the spool root, {@code d-<start millis>-<pid>-<random>}: names
 * sort by start time, so dead daemons' spools are adopted oldest first. Each holds a
 * {@code LOCK} file that its daemon keeps locked for its whole life; the OS drops the lock
 * when the process dies, however it dies.
 */
final class SpoolDirs {
    static final String LOCK_FILE = "LOCK";
    private static final Pattern DAEMON_DIR = Pattern.compile("d-\\d{13}-\\d+-[0-9a-f]{6}");

    private SpoolDirs() {
    }

    /** A daemon directory with its LOCK held by this process. */
    record Locked(Path dir, FileChannel channel, FileLock lock) implements Closeable {
        @Override
        public void close() throws IOException {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
            } finally {
                channel.close();
            }
        }
    }

    /**
     * Creates this daemon's directory. It is made under a hidden name and renamed once its LOCK
     * is held, so no other daemon can mistake a directory being born for a dead one.
     */
    static Locked createOwn(Path root) throws IOException {
        Files.createDirectories(root);
        String name = String.format("d-%013d-%d-%06x", System.currentTimeMillis(), ProcessHandle.current().pid(),
                ThreadLocalRandom.current().nextInt(1 << 24));
        Path tmp = root.resolve("." + name);
        Files.createDirectory(tmp);
        FileChannel ch = FileChannel.open(tmp.resolve(LOCK_FILE), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        FileLock lock = ch.tryLock();
        Path dir = root.resolve(name);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return new Locked(dir, ch, lock);
    }

    /** Sibling daemon directories whose owner is dead, oldest first, now locked by this process. */
    static List<Locked> lockDeadSiblings(Path root, Path own) throws IOException {
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root,
                p -> DAEMON_DIR.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))) {
            dirs.forEach(candidates::add);
        }
        candidates.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<Locked> dead = new ArrayList<>();
        for (Path dir : candidates) {
            if (!dir.equals(own)) {
                Locked l = tryLock(dir);
                if (l != null) {
                    dead.add(l);
                }
            }
        }
        return dead;
    }

    private static Locked tryLock(Path dir) throws IOException {
        FileChannel ch;
        try {
            // No CREATE: a directory without LOCK is not a spool (or only keeps rejected frames).
            ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            FileLock lock = ch.tryLock();
            if (lock != null) {
                return new Locked(dir, ch, lock);
            }
        } catch (OverlappingFileLockException e) {
            // Held by another daemon in this same JVM (tests embed several): alive.
        }
        ch.close();
        return null;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

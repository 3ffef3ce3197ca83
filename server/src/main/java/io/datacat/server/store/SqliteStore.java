package io.datacat.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: one SQLite file in WAL mode. All writes go through one connection
 * under a lock (SQLite allows one writer at a time anyway, and keeping its prepared
 * statements makes batches cheap); reads use a small pool of read-only connections, which
 * in WAL mode see the last committed snapshot without waiting for the writer.
 */
public final class SqliteStore implements Store {
    /** The database file inside the data folder. */
    public static final String FILE_NAME = "datacat.db";

    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
    private static final int BUSY_TIMEOUT_MS = 5_000;
    private static final int READER_POOL_SIZE = 4;
    /** Page cache of the writer in KiB: index pages stay hot during ingest. */
    private static final int WRITER_CACHE_KIB = 64 * 1024;
    private static final int READER_CACHE_KIB = 16 * 1024;

    private final Path file;
    private final FileLock folderLock;
    private final Connection writer;
    private final SqlWrites writes;
    private final SqliteCheckpointer checkpointer;
    private final HikariDataSource readers;
    private final ReentrantLock writeLock = new ReentrantLock();
    private boolean closed;

    private SqliteStore(Path file, FileLock folderLock, Connection writer, SqliteCheckpointer checkpointer,
                        HikariDataSource readers) {
        this.file = file;
        this.folderLock = folderLock;
        this.writer = writer;
        this.writes = new SqlWrites(writer, SqlDialect.SQLITE);
        this.checkpointer = checkpointer;
        this.readers = readers;
    }

    /**
     * Opens (creating if needed) {@value #FILE_NAME} in {@code dataDir}, which must exist.
     * One store at a time may use a data folder: a second server on the same folder is
     * refused instead of sharing the file with the first.
     */
    public static SqliteStore open(Path dataDir, SqliteSync sync) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(FILE_NAME);
        String url = "jdbc:sqlite:" + file;
        FileLock lock = lockFolder(file);
        Connection writer = null;
        Connection checkpoints = null;
        try {
            SQLiteDataSource writerSource = writerSource(url, sync);
            writer = writerSource.getConnection();
            checkWal(writer, file);
            SqliteSchema.migrate(writer, file.toString());
            execute(writer, "PRAGMA wal_autocheckpoint = " + SqliteCheckpointer.WRITER_FALLBACK_PAGES);
            checkpoints = writerSource.getConnection();
            HikariDataSource readers = readerPool(url);
            return new SqliteStore(file, lock, writer, new SqliteCheckpointer(checkpoints), readers);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(checkpoints);
            closeQuietly(writer);
            release(lock);
            if (e instanceof StoreException se) {
                throw se;
            }
            throw openFailure(file, e);
        }
    }

    private static FileLock lockFolder(Path file) {
        Path lockFile = file.resolveSibling(FILE_NAME + ".lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException("cannot create " + lockFile + " (" + e.getMessage() + "). Check that the data "
                    + "folder is writable, or start with another --data folder.", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another store of this process
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock " + lockFile + " (" + e.getMessage() + "). Put the data folder on "
                    + "a local disk, or start with another --data folder.", e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new StoreException("another DataCat server is using the data folder " + file.getParent()
                    + "; stop it, or start with another --data folder");
        }
        return lock;
    }

    private static void release(FileLock lock) {
        closeQuietly(lock.channel());
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close(); // also releases its lock
        } catch (IOException e) {
            LOG.warn("closing the data folder lock failed: {}", e.getMessage());
        }
    }

    private static SQLiteDataSource writerSource(String url, SqliteSync sync) {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(sync == SqliteSync.FULL ? SQLiteConfig.SynchronousMode.FULL
                : SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        cfg.setCacheSize(-WRITER_CACHE_KIB);
        cfg.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // Otherwise the driver asks for last_insert_rowid() after every INSERT; RETURNING gives keys.
        cfg.setGetGeneratedKeys(false);
        SQLiteDataSource ds = new SQLiteDataSource(cfg);
        ds.setUrl(url);
        return ds;
    }

    private static HikariDataSource readerPool(String url) {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        cfg.setCacheSize(-READER_CACHE_KIB);
        SQLiteDataSource ds = new SQLiteDataSource(cfg);
        ds.setUrl(url);
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setPoolName("datacat-sqlite-readers");
        hc.setReadOnly(true); // must match the open mode: the driver cannot switch it later
        hc.setMaximumPoolSize(READER_POOL_SIZE);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(10_000);
        return new HikariDataSource(hc);
    }

    private static void checkWal(Connection c, Path file) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            String mode = rs.next() ? rs.getString(1) : "?";
            if (!"wal".equalsIgnoreCase(mode)) {
                LOG.warn("SQLite could not switch {} to WAL mode (got '{}'): reads will wait for writes. "
                        + "Put the data folder on a local disk.", file, mode);
            }
        }
    }

    @Override
    public <T> T write(Work<T, WriteTransaction> work) {
        writeLock.lock();
        try {
            if (closed) {
                throw new StoreException("the store is closed");
            }
            try {
                begin(writer);
            } catch (SQLException e) {
                throw translate(e);
            }
            try {
                T result = work.run(writes);
                execute(writer, "COMMIT");
                checkpointer.committed();
                return result;
            } catch (SQLException e) {
                rollback(writer, e);
                throw translate(e);
            } catch (RuntimeException | Error e) {
                rollback(writer, e);
                throw e;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Transactions are begun and ended with plain SQL on connections left in auto-commit
     * mode: the driver's own transaction mode would open the next transaction right after
     * each commit and so hold the database's write lock between batches.
     */
    static void begin(Connection c) throws SQLException {
        // IMMEDIATE takes the write lock at BEGIN, so a transaction never fails half-way for want of it.
        execute(c, "BEGIN IMMEDIATE");
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    static void rollback(Connection c, Throwable cause) {
        try {
            execute(c, "ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public <T> T read(Work<T, ReadTransaction> work) {
        try (Connection c = readers.getConnection()) {
            // One transaction, so every query of the work sees the same snapshot.
            execute(c, "BEGIN");
            try {
                return work.run(new SqlReads(c, SqlDialect.SQLITE));
            } finally {
                execute(c, "ROLLBACK");
            }
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    @Override
    public String describe() {
        return "SQLite " + file;
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            readers.close();
            checkpointer.close();
            writes.closeStatements();
            closeQuietly(writer);
            release(folderLock);
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.warn("closing the SQLite connection failed: {}", e.getMessage());
        }
    }

    private static StoreException openFailure(Path file, Exception e) {
        SQLiteErrorCode code = e instanceof SQLiteException se ? se.getResultCode() : null;
        if (code == SQLiteErrorCode.SQLITE_NOTADB) {
            return new StoreException(file + " is not an SQLite database. Move it away, or start with another --data "
                    + "folder.", e);
        }
        String reason = String.valueOf(e.getMessage()).replaceAll("[.\\s]+$", "");
        return new StoreException("cannot open the database " + file + ": " + reason
                + ". Check that the data folder is writable, or start with another --data folder.", e);
    }

    /** Turns a driver failure into a store exception that says whether retrying can help. */
    static StoreException translate(SQLException e) {
        SQLiteErrorCode code = e instanceof SQLiteException se ? se.getResultCode() : null;
        int primary = code == null ? -1 : code.code & 0xff;
        if (primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return new StoreUnavailableException("the database is locked by another program; retry later", e);
        }
        if (primary == SQLiteErrorCode.SQLITE_FULL.code) {
            return new StoreUnavailableException("the disk holding the database is full; free some space", e);
        }
        if (primary == SQLiteErrorCode.SQLITE_READONLY.code) {
            return new StoreUnavailableException("the database file has become read-only", e);
        }
        return new StoreException("database error: " + e.getMessage(), e);
    }
}

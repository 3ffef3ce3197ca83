package io.datacat.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store for several servers over one PostgreSQL database. Each write transaction first
 * takes a transaction-scoped advisory lock (one per database schema), so the writes of all
 * the servers are applied one at a time, as SQLite's single writer applies them: a session's
 * records, its seq ranges and its status never see two writers at once, and the queries and
 * the checks of every write are the same as SQLite's. Writes have a connection of their own,
 * so a busy web UI never leaves ingest waiting for one. Reads run on a pool of connections in
 * read-only repeatable-read transactions (one snapshot per read) and never wait for writes,
 * so the servers share the reading: the web UI, the REST queries, and each request's parsing
 * and validation before it reaches the store.
 */
public final class PostgresStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    private static final int READER_POOL_SIZE = 8;
    private static final long CONNECT_TIMEOUT_MS = 5_000;
    /** Taken by every write transaction: one writer at a time in this schema, whichever server it runs in. */
    private static final String WRITER_LOCK =
            "SELECT pg_advisory_xact_lock(hashtext('datacat-writer:' || current_schema()))";

    private final HikariDataSource writer;
    private final HikariDataSource readers;
    private final String where;
    /** This server's writes take turns for the writer connection before they take the advisory lock. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private boolean closed;

    private PostgresStore(HikariDataSource writer, HikariDataSource readers, String where) {
        this.writer = writer;
        this.readers = readers;
        this.where = where;
    }

    /**
     * Connects to the database at {@code url} ({@code postgresql://user:password@host:5432/db}
     * or {@code jdbc:postgresql://…}) and creates DataCat's tables in its current schema if
     * they are missing.
     */
    public static PostgresStore open(String url) {
        Target target = Target.parse(url);
        HikariDataSource writer = pool(target, "datacat-postgres-writer", 1);
        HikariDataSource readers;
        try {
            readers = pool(target, "datacat-postgres-readers", READER_POOL_SIZE);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
        PostgresStore store = new PostgresStore(writer, readers, target.where());
        try {
            store.inWriteTransaction(c -> {
                PostgresSchema.migrate(c, "PostgreSQL " + target.where());
                return null;
            });
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static HikariDataSource pool(Target target, String name, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(target.jdbcUrl());
        if (target.user() != null) {
            hc.setUsername(target.user());
        }
        if (target.password() != null) {
            hc.setPassword(target.password());
        }
        hc.setPoolName(name);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(1);
        hc.setAutoCommit(false);
        hc.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        hc.addDataSourceProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_MS / 1_000));
        hc.addDataSourceProperty("ApplicationName", "datacat-server");
        try {
            return new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException e) {
            throw new StoreException("cannot connect to PostgreSQL at " + target.where() + " (" + rootMessage(e)
                    + "). Check the URL given with --postgres, and that the database is running.", e);
        }
    }

    @Override
    public <T> T write(Work<T, WriteTransaction> work) {
        return inWriteTransaction(c -> {
            SqlWrites writes = new SqlWrites(c, SqlDialect.POSTGRES);
            try {
                return work.run(writes);
            } finally {
                writes.closeStatements();
            }
        });
    }

    private <T> T inWriteTransaction(SqlWork<T> work) {
        writeLock.lock();
        if (closed) {
            writeLock.unlock();
            throw new StoreException("the store is closed");
        }
        try (Connection c = writer.getConnection()) {
            try {
                try (Statement st = c.createStatement()) {
                    st.execute(WRITER_LOCK);
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw translate(e);
        } finally {
            writeLock.unlock();
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @Override
    public <T> T read(Work<T, ReadTransaction> work) {
        try (Connection c = readers.getConnection()) {
            T result;
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                result = work.run(new SqlReads(c, SqlDialect.POSTGRES));
            } catch (SQLException | RuntimeException | Error e) {
                // A connection the database dropped cannot roll back either; the first failure
                // is the one that says what happened (and whether to retry).
                rollback(c, e);
                throw e;
            }
            endReadOnly(c);
            return result;
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /**
     * Ends a read that succeeded. If the database dropped the connection just after, the read's
     * answer still stands (the transaction wrote nothing), and the pool replaces the connection.
     */
    private static void endReadOnly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("ending a read-only transaction failed; its connection is replaced: {}", e.getMessage());
        }
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public boolean sharedByServers() {
        return true;
    }

    @Override
    public String describe() {
        return "PostgreSQL " + where;
    }

    /** Lets a write in progress commit first, as the server's shutdown promises. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            readers.close();
            writer.close();
        } finally {
            writeLock.unlock();
        }
    }

    /** Turns a driver failure into a store exception that says whether retrying can help. */
    static StoreException translate(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (e instanceof SQLTransientException || state.startsWith("08") || state.startsWith("57P")) {
            return new StoreUnavailableException("the PostgreSQL database cannot be reached; retry later", e);
        }
        if (state.startsWith("53")) {
            return new StoreUnavailableException("the PostgreSQL database is out of resources (disk, memory or "
                    + "connections); retry later", e);
        }
        if (state.equals("40001") || state.equals("40P01") || state.equals("25006")) {
            return new StoreUnavailableException("the PostgreSQL database refused the write for now; retry later", e);
        }
        return new StoreException("database error: " + e.getMessage(), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage()).replaceAll("[.\\s]+$", "");
    }

    /** Where to connect, and the credentials taken out of the URL so they never appear in messages. */
    record Target(String jdbcUrl, String user, String password, String where) {

        static Target parse(String url) {
            String rest;
            if (url.startsWith("jdbc:postgresql:")) {
                rest = url.substring("jdbc:".length());
            } else if (url.startsWith("postgresql:") || url.startsWith("postgres:")) {
                rest = "postgresql:" + url.substring(url.indexOf(':') + 1);
            } else {
                throw new StoreException("--postgres takes a URL such as postgresql://user:password@host:5432/datacat"
                        + ", got one that starts with neither postgresql:// nor jdbc:postgresql://");
            }
            URI uri;
            try {
                uri = new URI(rest);
            } catch (URISyntaxException e) {
                throw new StoreException("--postgres: the URL is not valid (" + e.getReason()
                        + "); use postgresql://user:password@host:5432/datacat", e);
            }
            if (uri.getHost() == null) {
                throw new StoreException("--postgres: the URL names no host; use "
                        + "postgresql://user:password@host:5432/datacat");
            }
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : null;
            }
            String hostPort = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new Target("jdbc:postgresql://" + hostPort + path + query, user, password,
                    hostPort + (path.isEmpty() ? "/" : path));
        }

        private static String decode(String s) {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }
    }
}

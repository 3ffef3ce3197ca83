package io.datacat.server;

import io.datacat.protocol.Limits;
import io.datacat.server.store.SqliteSync;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a server needs to start; the command-line options map onto it one to one.
 *
 * @param port          TCP port; 0 picks a free one
 * @param bind          address to listen on
 * @param dataDir       data folder (created if missing); holds the SQLite file
 * @param maxBodyBytes  largest request body, after gzip inflation
 * @param abnormalAfter silence after which an active session becomes abnormal
 * @param sqliteSync    SQLite durability
 * @param retention     how long after its end a session is kept; zero keeps every session
 * @param postgresUrl   a PostgreSQL database to store in instead of SQLite, or null
 */
public record ServerConfig(int port, String bind, Path dataDir, long maxBodyBytes, Duration abnormalAfter,
                           SqliteSync sqliteSync, Duration retention, String postgresUrl) {
    public static final int DEFAULT_PORT = 9090;
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final String DEFAULT_DATA_DIR = "./datacat-data";
    public static final long DEFAULT_ABNORMAL_AFTER_SECONDS = 90;
    /** 100 years, like the longest --retention; far longer would overflow the sweeper's nanosecond arithmetic. */
    public static final long MAX_ABNORMAL_AFTER_SECONDS = 36_500L * 86_400;

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(abnormalAfter, "abnormalAfter");
        Objects.requireNonNull(sqliteSync, "sqliteSync");
        Objects.requireNonNull(retention, "retention");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, got " + port);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("--max-body must be at least 1 byte, got " + maxBodyBytes);
        }
        if (abnormalAfter.isNegative() || abnormalAfter.isZero()
                || abnormalAfter.compareTo(Duration.ofSeconds(MAX_ABNORMAL_AFTER_SECONDS)) > 0) {
            throw new IllegalArgumentException("--abnormal-after must be a number of seconds from 1 to "
                    + MAX_ABNORMAL_AFTER_SECONDS + " (100 years), got " + inSeconds(abnormalAfter));
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException("--retention must not be negative");
        }
    }

    /** A duration as the option takes it, in seconds: what was typed, for a duration from the command line. */
    private static String inSeconds(Duration d) {
        return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).stripTrailingZeros()
                .toPlainString();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts from the defaults of the command line. */
    public static final class Builder {
        private int port = DEFAULT_PORT;
        private String bind = DEFAULT_BIND;
        private Path dataDir = Path.of(DEFAULT_DATA_DIR);
        private long maxBodyBytes = Limits.DEFAULT_MAX_BODY_BYTES;
        private Duration abnormalAfter = Duration.ofSeconds(DEFAULT_ABNORMAL_AFTER_SECONDS);
        private SqliteSync sqliteSync = SqliteSync.NORMAL;
        private Duration retention = Duration.ZERO;
        private String postgresUrl;

        private Builder() {
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder bind(String v) {
            bind = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public Builder maxBodyBytes(long v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder abnormalAfter(Duration v) {
            abnormalAfter = v;
            return this;
        }

        public Builder sqliteSync(SqliteSync v) {
            sqliteSync = v;
            return this;
        }

        public Builder retention(Duration v) {
            retention = v;
            return this;
        }

        /** Stores in this PostgreSQL database (null or blank: SQLite in the data folder). */
        public Builder postgresUrl(String v) {
            postgresUrl = v == null || v.isBlank() ? null : v.strip();
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(port, bind, dataDir, maxBodyBytes, abnormalAfter, sqliteSync, retention,
                    postgresUrl);
        }
    }
}

package io.datacat.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a session is created: immutable, made with {@link #builder(String, String)}.
 *
 * <pre>{@code
 * SessionOptions options = SessionOptions.builder("MyGame", "1.0.0")
 *         .serverUrl("http://localhost:9090")
 *         .asyncMode(true)
 *         .queueSize(10_000)
 *         .build();
 * Session session = Datacat.createSession(options);
 * }</pre>
 */
public final class SessionOptions {
    public static final String DEFAULT_SERVER_URL = "http://localhost:9090";
    public static final int DEFAULT_QUEUE_SIZE = 10_000;
    public static final long DEFAULT_HANG_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 2_000;
    /** The smallest spool bound a daemon takes. */
    public static final long MIN_SPOOL_BYTES = 65_536;

    private final String product;
    private final String version;
    private final String serverUrl;
    private final int daemonPort;
    private final boolean asyncMode;
    private final int queueSize;
    private final boolean dropOnFull;
    private final List<String> daemonCommand;
    private final String spoolDir;
    private final long spoolMaxBytes;
    private final long spoolMaxAgeSeconds;
    private final String spoolFsync;
    private final long hangTimeoutMs;
    private final boolean hangDetection;
    private final boolean crashReporting;
    private final long flushIntervalMs;
    private final long metricsIntervalMs;
    private final long syncTimeoutMs;
    private final long shutdownTimeoutMs;
    private final Map<String, String> attributes;

    private SessionOptions(Builder b) {
        this.product = b.product;
        this.version = b.version;
        this.serverUrl = b.serverUrl;
        this.daemonPort = b.daemonPort;
        this.asyncMode = b.asyncMode;
        this.queueSize = b.queueSize;
        this.dropOnFull = b.dropOnFull;
        this.daemonCommand = b.daemonCommand == null ? null
                : Collections.unmodifiableList(new ArrayList<String>(b.daemonCommand));
        this.spoolDir = b.spoolDir;
        this.spoolMaxBytes = b.spoolMaxBytes;
        this.spoolMaxAgeSeconds = b.spoolMaxAgeSeconds;
        this.spoolFsync = b.spoolFsync;
        this.hangTimeoutMs = b.hangTimeoutMs;
        this.hangDetection = b.hangDetection;
        this.crashReporting = b.crashReporting;
        this.flushIntervalMs = b.flushIntervalMs;
        this.metricsIntervalMs = b.metricsIntervalMs;
        this.syncTimeoutMs = b.syncTimeoutMs;
        this.shutdownTimeoutMs = b.shutdownTimeoutMs;
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<String, String>(b.attributes));
    }

    /** Options for a session of {@code product} at {@code version} (both required, at most 128 characters). */
    public static Builder builder(String product, String version) {
        return new Builder(product, version);
    }

    public Builder toBuilder() {
        Builder b = new Builder(product, version);
        b.serverUrl = serverUrl;
        b.daemonPort = daemonPort;
        b.asyncMode = asyncMode;
        b.queueSize = queueSize;
        b.dropOnFull = dropOnFull;
        b.daemonCommand = daemonCommand;
        b.spoolDir = spoolDir;
        b.spoolMaxBytes = spoolMaxBytes;
        b.spoolMaxAgeSeconds = spoolMaxAgeSeconds;
        b.spoolFsync = spoolFsync;
        b.hangTimeoutMs = hangTimeoutMs;
        b.hangDetection = hangDetection;
        b.crashReporting = crashReporting;
        b.flushIntervalMs = flushIntervalMs;
        b.metricsIntervalMs = metricsIntervalMs;
        b.syncTimeoutMs = syncTimeoutMs;
        b.shutdownTimeoutMs = shutdownTimeoutMs;
        b.attributes.putAll(attributes);
        return b;
    }

    public String product() {
        return product;
    }

    public String version() {
        return version;
    }

    public String serverUrl() {
        return serverUrl;
    }

    /** The daemon's port, or 0 for "auto": start a daemon of our own on a free loopback port. */
    public int daemonPort() {
        return daemonPort;
    }

    public boolean asyncMode() {
        return asyncMode;
    }

    public int queueSize() {
        return queueSize;
    }

    public boolean dropOnFull() {
        return dropOnFull;
    }

    /** The command that starts a daemon, or null to look it up (see {@link Builder#daemonCommand}). */
    public List<String> daemonCommand() {
        return daemonCommand;
    }

    public String spoolDir() {
        return spoolDir;
    }

    /** The byte bound of the daemon's spool, or 0 for the daemon's default (128 MiB). */
    public long spoolMaxBytes() {
        return spoolMaxBytes;
    }

    /** The age bound of the daemon's spool in seconds, or 0 for the daemon's default (3 days). */
    public long spoolMaxAgeSeconds() {
        return spoolMaxAgeSeconds;
    }

    /** When the daemon forces its spool to disk ({@code always}, {@code interval}, {@code never}), or null for its default. */
    public String spoolFsync() {
        return spoolFsync;
    }

    public long hangTimeoutMs() {
        return hangTimeoutMs;
    }

    public boolean hangDetection() {
        return hangDetection;
    }

    public boolean crashReporting() {
        return crashReporting;
    }

    public long flushIntervalMs() {
        return flushIntervalMs;
    }

    public long metricsIntervalMs() {
        return metricsIntervalMs;
    }

    public long syncTimeoutMs() {
        return syncTimeoutMs;
    }

    public long shutdownTimeoutMs() {
        return shutdownTimeoutMs;
    }

    /** Free-form facts about the run sent with the session's start (build, platform, player segment…). */
    public Map<String, String> attributes() {
        return attributes;
    }

    public static final class Builder {
        private final String product;
        private final String version;
        private String serverUrl = DEFAULT_SERVER_URL;
        private int daemonPort;
        private boolean asyncMode;
        private int queueSize = DEFAULT_QUEUE_SIZE;
        private boolean dropOnFull = true;
        private List<String> daemonCommand;
        private String spoolDir;
        private long spoolMaxBytes;
        private long spoolMaxAgeSeconds;
        private String spoolFsync;
        private long hangTimeoutMs = DEFAULT_HANG_TIMEOUT_MS;
        private boolean hangDetection = true;
        private boolean crashReporting = true;
        private long flushIntervalMs = 10;
        private long metricsIntervalMs = 1_000;
        private long syncTimeoutMs = 5_000;
        private long shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
        private final Map<String, String> attributes = new LinkedHashMap<String, String>();

        private Builder(String product, String version) {
            this.product = product;
            this.version = version;
        }

        /** The DataCat server the daemon forwards to (default {@value #DEFAULT_SERVER_URL}). */
        public Builder serverUrl(String serverUrl) {
            this.serverUrl = serverUrl;
            return this;
        }

        /** Use the daemon on this loopback port (started there if none answers). */
        public Builder daemonPort(int port) {
            this.daemonPort = port;
            return this;
        }

        /** {@code "auto"} (the default: a daemon of our own on a free port) or a port number. */
        public Builder daemonPort(String port) {
            if (port == null || port.trim().equalsIgnoreCase("auto")) {
                this.daemonPort = 0;
            } else {
                try {
                    this.daemonPort = Integer.parseInt(port.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("daemonPort must be \"auto\" or a port number, got \"" + port + "\"");
                }
            }
            return this;
        }

        /**
         * True: {@link Datacat#createSession} returns an {@link AsyncSession}, whose calls only
         * queue the record (the sender thread delivers it). False (default): every call
         * returns once the daemon has the record.
         */
        public Builder asyncMode(boolean asyncMode) {
            this.asyncMode = asyncMode;
            return this;
        }

        /** Calls an {@link AsyncSession} can hold before it drops (default 10,000). */
        public Builder queueSize(int queueSize) {
            this.queueSize = queueSize;
            return this;
        }

        /** True (default): a call that finds the queue full is dropped and counted. False: it waits for room. */
        public Builder dropOnFull(boolean dropOnFull) {
            this.dropOnFull = dropOnFull;
            return this;
        }

        /**
         * The command that starts a daemon. Without it: {@code $DATACAT_DAEMON}, then the
         * system property {@code datacat.daemon}, then {@code datacat-daemon} on the {@code PATH}.
         */
        public Builder daemonCommand(String... command) {
            this.daemonCommand = command == null || command.length == 0 ? null : Arrays.asList(command.clone());
            return this;
        }

        /** Where the daemon keeps its durable spool (default: the daemon's own, {@code ~/.datacat/spool}). */
        public Builder spoolDir(String spoolDir) {
            this.spoolDir = spoolDir;
            return this;
        }

        /**
         * The most disk the daemon's spool may use while the server is unreachable, at least
         * 65,536 bytes (default: the daemon's, 128 MiB). Past it, the oldest ordinary records
         * are evicted and counted; session starts, ends, crashes and hangs are always kept.
         */
        public Builder spoolMaxBytes(long bytes) {
            this.spoolMaxBytes = bytes;
            return this;
        }

        /** How long the spool keeps undelivered records, in seconds (default: the daemon's, 3 days). */
        public Builder spoolMaxAgeSeconds(long seconds) {
            this.spoolMaxAgeSeconds = seconds;
            return this;
        }

        /**
         * When the daemon forces its spool to disk: {@code "always"} (before each ack: survives
         * power loss), {@code "interval"} (the default: every second), or {@code "never"}
         * (left to the OS). All three survive a crash of the app or of the daemon.
         */
        public Builder spoolFsync(String policy) {
            this.spoolFsync = policy;
            return this;
        }

        /** How long the thread that calls {@code heartbeat()} may be silent before it counts as hung (default 5 s). */
        public Builder hangTimeoutMs(long hangTimeoutMs) {
            this.hangTimeoutMs = hangTimeoutMs;
            return this;
        }

        /** Watch {@code heartbeat()} for hangs (default true; sessions that never heartbeat are never hung). */
        public Builder hangDetection(boolean hangDetection) {
            this.hangDetection = hangDetection;
            return this;
        }

        /**
         * Report an uncaught exception, {@code System.exit} or a return from {@code main}
         * without {@code end()} as a crash (default true). Installs a chained default
         * uncaught-exception handler and a shutdown hook.
         */
        public Builder crashReporting(boolean crashReporting) {
            this.crashReporting = crashReporting;
            return this;
        }

        /** How often the sender thread wakes to send what is queued (default 10 ms). */
        public Builder flushIntervalMs(long flushIntervalMs) {
            this.flushIntervalMs = flushIntervalMs;
            return this;
        }

        /** Counters, histograms and timers are summed over this interval before sending (default 1 s). */
        public Builder metricsIntervalMs(long metricsIntervalMs) {
            this.metricsIntervalMs = metricsIntervalMs;
            return this;
        }

        /**
         * How long a synchronous call waits for the daemon before it returns anyway (default 5 s).
         * After one such timeout, synchronous calls stop waiting (their records stay queued) until
         * the daemon takes a batch again.
         */
        public Builder syncTimeoutMs(long syncTimeoutMs) {
            this.syncTimeoutMs = syncTimeoutMs;
            return this;
        }

        /** The timeout of {@link Session#end()} and {@link Session#close()} (default 2 s). */
        public Builder shutdownTimeoutMs(long shutdownTimeoutMs) {
            this.shutdownTimeoutMs = shutdownTimeoutMs;
            return this;
        }

        /** Adds a fact about this run, sent with the session's start. */
        public Builder attribute(String key, String value) {
            this.attributes.put(key, value);
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option that is wrong and why
         */
        public SessionOptions build() {
            requireText("product", product);
            requireText("version", version);
            if (serverUrl == null) {
                throw new IllegalArgumentException("serverUrl is required, e.g. " + DEFAULT_SERVER_URL);
            }
            try {
                URI uri = new URI(serverUrl);
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    throw new URISyntaxException(serverUrl, "not an http(s) URL with a host");
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("serverUrl must be an http(s) URL such as " + DEFAULT_SERVER_URL
                        + ", got \"" + serverUrl + "\"");
            }
            if (daemonPort < 0 || daemonPort > 65535) {
                throw new IllegalArgumentException("daemonPort must be 1-65535 or \"auto\", got " + daemonPort);
            }
            if (queueSize < 1 || queueSize > (1 << 26)) {
                throw new IllegalArgumentException("queueSize must be between 1 and " + (1 << 26) + ", got " + queueSize);
            }
            if (spoolMaxBytes != 0 && spoolMaxBytes < MIN_SPOOL_BYTES) {
                throw new IllegalArgumentException("spoolMaxBytes must be at least " + MIN_SPOOL_BYTES
                        + " (or 0 for the daemon's default), got " + spoolMaxBytes);
            }
            if (spoolMaxAgeSeconds < 0) {
                throw new IllegalArgumentException("spoolMaxAgeSeconds must be positive (or 0 for the daemon's "
                        + "default), got " + spoolMaxAgeSeconds);
            }
            if (spoolFsync != null && !Arrays.asList("always", "interval", "never").contains(spoolFsync)) {
                throw new IllegalArgumentException("spoolFsync must be \"always\", \"interval\" or \"never\", got \""
                        + spoolFsync + "\"");
            }
            requirePositive("hangTimeoutMs", hangTimeoutMs);
            requirePositive("flushIntervalMs", flushIntervalMs);
            requirePositive("metricsIntervalMs", metricsIntervalMs);
            requirePositive("syncTimeoutMs", syncTimeoutMs);
            requirePositive("shutdownTimeoutMs", shutdownTimeoutMs);
            return new SessionOptions(this);
        }

        private static void requireText(String field, String value) {
            if (value == null || value.trim().isEmpty()) {
                throw new IllegalArgumentException(field + " is required (the name of your game and its version)");
            }
            if (value.length() > 128) {
                throw new IllegalArgumentException(field + " must be at most 128 characters, got " + value.length());
            }
        }

        private static void requirePositive(String field, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(field + " must be positive, got " + value);
            }
        }
    }
}

package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.spool.FsyncPolicy;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the daemon is told, read from the JSON file that {@code DATACAT_CONFIG} (or
 * {@code --config}) names. Keys and defaults of the compatible daemon are kept; README.md,
 * "Daemon reference", lists them all.
 *
 * @param port               loopback port to listen on; 0 = any free port
 * @param serverUrl          base URL of the server, without a trailing slash
 * @param batchInterval      {@code batch_interval_seconds}, read for compatibility only: the compatible
 *                           counters and histograms are spooled call by call, before the call is answered
 * @param heartbeatTimeout   hang timeout of compatible clients (and Java clients that give none)
 * @param apiKey             sent as {@code Authorization: Bearer}; empty = none
 * @param enableCompression  gzip the batches sent to the server; null = only when it is not on loopback
 * @param portFile           where to write the bound port once listening; null = nowhere
 * @param parentPid          the app process that started the daemon; 0 = none
 * @param spoolDir           the spool root; each daemon keeps its own directory under it
 * @param spoolMaxBytes      byte bound of the spool (see the eviction rules)
 * @param spoolMaxAge        age bound of the spool
 * @param spoolFsync         when appended frames are forced to the disk
 * @param spoolFsyncInterval period of the background fsync for {@link FsyncPolicy#INTERVAL}
 * @param linger             how long to keep trying to deliver once the app is gone
 */
public record DaemonConfig(int port, String serverUrl, Duration batchInterval, Duration heartbeatTimeout,
                           String apiKey, Boolean enableCompression, Path portFile, long parentPid,
                           Path spoolDir, long spoolMaxBytes, Duration spoolMaxAge, FsyncPolicy spoolFsync,
                           Duration spoolFsyncInterval, Duration linger) {

    /** The smallest byte bound that leaves room for the spool's minimum segment size. */
    public static final long MIN_SPOOL_BYTES = 64 * 1024;

    /** Keys of the compatible daemon that this one accepts and has no use for. */
    private static final Set<String> IGNORED_KEYS = Set.of("max_batch_size", "tls_verify", "tls_insecure_skip_verify");

    public DaemonConfig {
        Objects.requireNonNull(serverUrl, "serverUrl");
        Objects.requireNonNull(spoolDir, "spoolDir");
        Objects.requireNonNull(spoolFsync, "spoolFsync");
        apiKey = apiKey == null ? "" : apiKey;
    }

    public boolean hasParent() {
        return parentPid > 0;
    }

    /**
     * Whether the batches sent to the server are gzipped: {@code enable_compression} when set,
     * else only when the server is not on this machine's loopback, where compressing costs far
     * more CPU than the bytes it saves.
     */
    public boolean compressToServer() {
        return enableCompression != null ? enableCompression : !isLoopback(URI.create(serverUrl).getHost());
    }

    /** {@code localhost} or a loopback address literal; any other name counts as remote (no DNS lookup here). */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (!h.contains(":") && !h.matches("[0-9.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A builder holding the defaults, with the spool under {@code $DATACAT_HOME} or {@code ~/.datacat}. */
    public static Builder builder() {
        return new Builder(System.getenv());
    }

    /** A builder holding the defaults, reading {@code DATACAT_HOME} from {@code env}. */
    public static Builder builder(Map<String, String> env) {
        return new Builder(env);
    }

    /** Reads a config file; a missing file, bad JSON or a wrong type is an error, never silent defaults. */
    public static DaemonConfig load(Path file, Map<String, String> env) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read the config file " + file + " (" + e + "); "
                    + "point DATACAT_CONFIG or --config at a readable JSON file");
        }
        return parse(bytes, file.toString(), env);
    }

    /** The file's top-level object, or an error worded for a config file (Json's speak of request bodies). */
    private static ObjectNode readObject(byte[] json, String origin) throws ConfigException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new ConfigException("config file " + origin + ": " + Json.parseFailure(e).getMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw new ConfigException("config file " + origin + " must hold one JSON object of settings, such as "
                    + "{\"server_url\": \"http://localhost:9090\"}; it holds "
                    + (root == null || root.isMissingNode() ? "nothing" : Json.describe(root)));
        }
        return (ObjectNode) root;
    }

    /** Parses the JSON text of a config file; {@code origin} names it in error messages. */
    public static DaemonConfig parse(byte[] json, String origin, Map<String, String> env) throws ConfigException {
        ObjectNode root = readObject(json, origin);
        Builder b = builder(env);
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull() || IGNORED_KEYS.contains(e.getKey())) {
                continue;
            }
            Field f = new Field(origin, e.getKey(), v);
            switch (e.getKey()) {
                case "daemon_port" -> b.port(f.port());
                case "server_url" -> b.serverUrl(f.text());
                case "batch_interval_seconds" -> b.batchInterval(f.seconds());
                case "heartbeat_timeout_seconds" -> b.heartbeatTimeout(f.seconds());
                case "api_key" -> b.apiKey(f.text());
                case "enable_compression" -> b.enableCompression(f.bool());
                case "port_file" -> b.portFile(Path.of(f.nonEmptyText()).toAbsolutePath());
                case "parent_pid" -> b.parentPid(f.nonNegativeLong());
                case "spool_dir" -> b.spoolDir(Path.of(f.nonEmptyText()).toAbsolutePath());
                case "spool_max_bytes" -> b.spoolMaxBytes(f.nonNegativeLong());
                case "spool_max_age_seconds" -> b.spoolMaxAge(f.seconds());
                case "spool_fsync" -> b.spoolFsync(f.fsync());
                case "spool_fsync_interval_ms" -> b.spoolFsyncInterval(Duration.ofMillis(f.positiveLong()));
                case "linger_seconds" -> b.linger(f.nonNegativeSeconds());
                default -> Log.warn("config file " + origin + ": unknown key \"" + e.getKey() + "\" ignored "
                        + "(check its spelling against the Daemon reference in daemon/README.md)");
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config file " + origin + ": " + e.getMessage());
        }
    }

    /** One key of the config file, with typed readers whose errors say what to write instead. */
    private record Field(String origin, String key, JsonNode value) {
        private ConfigException wrong(String expected) {
            return new ConfigException("config file " + origin + ": \"" + key + "\" must be " + expected
                    + ", got " + value);
        }

        String text() throws ConfigException {
            if (!value.isTextual()) {
                throw wrong("a string");
            }
            return value.asText();
        }

        String nonEmptyText() throws ConfigException {
            String s = text();
            if (s.isBlank()) {
                throw wrong("a non-empty string");
            }
            return s;
        }

        boolean bool() throws ConfigException {
            if (!value.isBoolean()) {
                throw wrong("true or false");
            }
            return value.asBoolean();
        }

        long nonNegativeLong() throws ConfigException {
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
                throw wrong("a non-negative integer");
            }
            return value.asLong();
        }

        long positiveLong() throws ConfigException {
            long v = nonNegativeLong();
            if (v == 0) {
                throw wrong("a positive integer");
            }
            return v;
        }

        Duration seconds() throws ConfigException {
            Duration d = secondsFrom("a positive number of seconds");
            if (d.isZero()) {
                throw wrong("a positive number of seconds");
            }
            return d;
        }

        Duration nonNegativeSeconds() throws ConfigException {
            return secondsFrom("a number of seconds, 0 or more");
        }

        private Duration secondsFrom(String expected) throws ConfigException {
            if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > 1e9) {
                throw wrong(expected);
            }
            return Duration.ofNanos(Math.round(value.asDouble() * 1e9));
        }

        int port() throws ConfigException {
            String s = value.isTextual() ? value.asText().trim() : value.isIntegralNumber() ? value.asText() : null;
            if ("auto".equals(s)) {
                return 0;
            }
            if (s == null || !s.matches("\\d{1,5}") || Integer.parseInt(s) > 65_535) {
                throw wrong("a port number from 0 to 65535 (a string or a number; \"0\" picks a free port)");
            }
            return Integer.parseInt(s);
        }

        FsyncPolicy fsync() throws ConfigException {
            FsyncPolicy p = value.isTextual() ? FsyncPolicy.fromWire(value.asText()) : null;
            if (p == null) {
                throw wrong("\"always\", \"interval\" or \"never\"");
            }
            return p;
        }
    }

    /** Mutable holder of the settings; starts from the defaults. */
    public static final class Builder {
        private int port = 8079;
        private String serverUrl = "http://localhost:9090";
        private Duration batchInterval = Duration.ofSeconds(5);
        private Duration heartbeatTimeout = Duration.ofSeconds(60);
        private String apiKey = "";
        private Boolean enableCompression;
        private Path portFile;
        private long parentPid;
        private Path spoolDir;
        private long spoolMaxBytes = 128L * 1024 * 1024;
        private Duration spoolMaxAge = Duration.ofDays(3);
        private FsyncPolicy spoolFsync = FsyncPolicy.INTERVAL;
        private Duration spoolFsyncInterval = Duration.ofSeconds(1);
        private Duration linger = Duration.ofSeconds(600);

        private Builder(Map<String, String> env) {
            String home = env.get("DATACAT_HOME");
            Path base = home != null && !home.isBlank() ? Path.of(home)
                    : Path.of(System.getProperty("user.home"), ".datacat");
            spoolDir = base.resolve("spool").toAbsolutePath();
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder serverUrl(String v) {
            serverUrl = v;
            return this;
        }

        public Builder batchInterval(Duration v) {
            batchInterval = v;
            return this;
        }

        public Builder heartbeatTimeout(Duration v) {
            heartbeatTimeout = v;
            return this;
        }

        public Builder apiKey(String v) {
            apiKey = v;
            return this;
        }

        public Builder enableCompression(Boolean v) {
            enableCompression = v;
            return this;
        }

        public Builder portFile(Path v) {
            portFile = v;
            return this;
        }

        public Builder parentPid(long v) {
            parentPid = v;
            return this;
        }

        public Builder spoolDir(Path v) {
            spoolDir = v;
            return this;
        }

        public Builder spoolMaxBytes(long v) {
            spoolMaxBytes = v;
            return this;
        }

        public Builder spoolMaxAge(Duration v) {
            spoolMaxAge = v;
            return this;
        }

        public Builder spoolFsync(FsyncPolicy v) {
            spoolFsync = v;
            return this;
        }

        public Builder spoolFsyncInterval(Duration v) {
            spoolFsyncInterval = v;
            return this;
        }

        public Builder linger(Duration v) {
            linger = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting that cannot work */
        public DaemonConfig build() {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("daemon_port must be from 0 to 65535, got " + port);
            }
            if (spoolMaxBytes < MIN_SPOOL_BYTES) {
                throw new IllegalArgumentException("spool_max_bytes must be at least " + MIN_SPOOL_BYTES
                        + " (64 KiB), got " + spoolMaxBytes);
            }
            requirePositive("batch_interval_seconds", batchInterval);
            requirePositive("heartbeat_timeout_seconds", heartbeatTimeout);
            requirePositive("spool_max_age_seconds", spoolMaxAge);
            requirePositive("spool_fsync_interval_ms", spoolFsyncInterval);
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger_seconds must not be negative");
            }
            return new DaemonConfig(port, normaliseServerUrl(serverUrl), batchInterval, heartbeatTimeout, apiKey,
                    enableCompression, portFile, parentPid, spoolDir, spoolMaxBytes, spoolMaxAge, spoolFsync,
                    spoolFsyncInterval, linger);
        }

        private static void requirePositive(String key, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(key + " must be positive");
            }
        }

        private static String normaliseServerUrl(String url) {
            try {
                URI uri = new URI(url.trim());
                String scheme = uri.getScheme();
                if (uri.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
                    throw new URISyntaxException(url, "not an http(s) URL with a host");
                }
                String s = uri.toString();
                return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("server_url must be an http(s) URL such as http://localhost:9090, got \""
                        + url + "\"");
            }
        }
    }
}

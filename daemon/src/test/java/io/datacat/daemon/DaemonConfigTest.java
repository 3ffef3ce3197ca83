package io.datacat.daemon;

import io.datacat.daemon.spool.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaemonConfigTest {
    @TempDir
    Path tmp;

    private static DaemonConfig parse(String json) throws ConfigException {
        return DaemonConfig.parse(json.getBytes(StandardCharsets.UTF_8), "test.json", Map.of("DATACAT_HOME", "/dc"));
    }

    @Test
    void theDefaultsAreTheCompatibleDaemonsPlusOurs() throws ConfigException {
        DaemonConfig c = parse("{}");

        assertThat(c.port()).isEqualTo(8079);
        assertThat(c.serverUrl()).isEqualTo("http://localhost:9090");
        assertThat(c.batchInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.apiKey()).isEmpty();
        assertThat(c.enableCompression()).isNull();
        assertThat(c.compressToServer()).as("the default server is on loopback").isFalse();
        assertThat(c.portFile()).isNull();
        assertThat(c.hasParent()).isFalse();
        assertThat(c.spoolDir()).isEqualTo(Path.of("/dc/spool"));
        assertThat(c.spoolMaxBytes()).isEqualTo(128L * 1024 * 1024);
        assertThat(c.spoolMaxAge()).isEqualTo(Duration.ofDays(3));
        assertThat(c.spoolFsync()).isEqualTo(FsyncPolicy.INTERVAL);
        assertThat(c.spoolFsyncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.linger()).isEqualTo(Duration.ofSeconds(600));
        assertThat(DaemonConfig.builder(Map.of()).build().spoolDir())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".datacat", "spool"));
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        DaemonConfig c = parse("""
                {"daemon_port": "0", "server_url": "https://telemetry.example:8443/", "batch_interval_seconds": 0.5,
                 "heartbeat_timeout_seconds": 30, "api_key": "k", "enable_compression": false,
                 "port_file": "/run/dc/port", "parent_pid": 4242, "spool_dir": "/var/spool/dc",
                 "spool_max_bytes": 1048576, "spool_max_age_seconds": 3600, "spool_fsync": "always",
                 "spool_fsync_interval_ms": 250, "linger_seconds": 0,
                 "max_batch_size": 100, "tls_verify": true, "tls_insecure_skip_verify": false}""");

        assertThat(c.port()).isZero();
        assertThat(c.serverUrl()).isEqualTo("https://telemetry.example:8443");
        assertThat(c.batchInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.apiKey()).isEqualTo("k");
        assertThat(c.enableCompression()).isFalse();
        assertThat(c.portFile()).isEqualTo(Path.of("/run/dc/port"));
        assertThat(c.parentPid()).isEqualTo(4242);
        assertThat(c.spoolDir()).isEqualTo(Path.of("/var/spool/dc"));
        assertThat(c.spoolMaxBytes()).isEqualTo(1048576);
        assertThat(c.spoolMaxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(c.spoolFsync()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(c.spoolFsyncInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.linger()).isZero();
    }

    @Test
    void batchesAreGzippedOnlyToARemoteServerUnlessTheConfigSays() throws ConfigException {
        assertThat(parse("{\"server_url\": \"http://127.0.0.1:9090\"}").compressToServer()).isFalse();
        assertThat(parse("{\"server_url\": \"http://[::1]:9090\"}").compressToServer()).isFalse();
        assertThat(parse("{\"server_url\": \"http://127.3.4.5\"}").compressToServer()).isFalse();
        assertThat(parse("{\"server_url\": \"https://telemetry.example\"}").compressToServer()).isTrue();
        assertThat(parse("{\"server_url\": \"http://10.0.0.7:9090\"}").compressToServer()).isTrue();
        assertThat(parse("{\"enable_compression\": true}").compressToServer()).isTrue();
        assertThat(parse("{\"server_url\": \"https://telemetry.example\", \"enable_compression\": false}")
                .compressToServer()).isFalse();
    }

    @Test
    void thePortMayBeAStringOrANumber() throws ConfigException {
        assertThat(parse("{\"daemon_port\": 9000}").port()).isEqualTo(9000);
        assertThat(parse("{\"daemon_port\": \"9001\"}").port()).isEqualTo(9001);
        assertThat(parse("{\"daemon_port\": \"auto\"}").port()).isZero();
    }

    @Test
    void badFilesAreErrorsThatSayWhatToFix() {
        assertThatThrownBy(() -> parse("{\"daemon_port\": 8079,")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.json").hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> parse("[]")).hasMessage("config file test.json must hold one JSON object of "
                + "settings, such as {\"server_url\": \"http://localhost:9090\"}; it holds an array");
        assertThatThrownBy(() -> parse(" \n")).hasMessageEndingWith("it holds nothing");
        assertThatThrownBy(() -> parse("")).hasMessageEndingWith("it holds nothing");
        assertThatThrownBy(() -> parse("{\"daemon_port\": true}")).hasMessageContaining("\"daemon_port\" must be a port");
        assertThatThrownBy(() -> parse("{\"daemon_port\": \"70000\"}")).hasMessageContaining("daemon_port");
        assertThatThrownBy(() -> parse("{\"batch_interval_seconds\": \"5\"}"))
                .hasMessageContaining("\"batch_interval_seconds\" must be a positive number of seconds");
        assertThatThrownBy(() -> parse("{\"batch_interval_seconds\": 0}")).hasMessageContaining("positive");
        assertThatThrownBy(() -> parse("{\"enable_compression\": \"yes\"}")).hasMessageContaining("true or false");
        assertThatThrownBy(() -> parse("{\"spool_fsync\": \"sometimes\"}"))
                .hasMessageContaining("\"always\", \"interval\" or \"never\"");
        assertThatThrownBy(() -> parse("{\"parent_pid\": -1}")).hasMessageContaining("non-negative integer");
        assertThatThrownBy(() -> parse("{\"server_url\": \"localhost:9090\"}")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> parse("{\"spool_max_bytes\": 1000}")).hasMessageContaining("at least 65536");
        assertThatThrownBy(() -> DaemonConfig.load(tmp.resolve("missing.json"), Map.of()))
                .hasMessageContaining("cannot read the config file");
    }

    @Test
    void theCommandLineWinsOverTheEnvironment() throws Exception {
        Path fromArgs = Files.writeString(tmp.resolve("a.json"), "{\"daemon_port\": 1111}");
        Path fromEnv = Files.writeString(tmp.resolve("b.json"), "{\"daemon_port\": 2222}");
        Map<String, String> env = Map.of("DATACAT_CONFIG", fromEnv.toString());

        assertThat(DaemonMain.configFrom(new String[] {"--config", fromArgs.toString()}, env).port()).isEqualTo(1111);
        assertThat(DaemonMain.configFrom(new String[0], env).port()).isEqualTo(2222);
        assertThat(DaemonMain.configFrom(new String[0], Map.of()).port()).isEqualTo(8079);
        assertThatThrownBy(() -> DaemonMain.configFrom(new String[] {"--verbose"}, Map.of()))
                .hasMessageContaining("unknown argument");
    }
}

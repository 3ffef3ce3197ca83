package io.datacat.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatacatServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private int healthStatus(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url + "health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void startsOnAFreePortAndStopsCleanly(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("nested/data");
        RunningServer server = DatacatServer.start(ServerConfig.builder().port(0).dataDir(data).build());
        String url = server.url();
        assertThat(server.port()).isPositive();
        assertThat(url).isEqualTo("http://127.0.0.1:" + server.port() + "/");
        assertThat(healthStatus(url)).isEqualTo(200);
        assertThat(Files.exists(data.resolve("datacat.db"))).isTrue();

        server.close();
        server.close(); // twice is harmless
        assertThatThrownBy(() -> healthStatus(url)).isInstanceOf(ConnectException.class);

        // the folder is free again for the next server
        DatacatServer.start(ServerConfig.builder().port(0).dataDir(data).build()).close();
    }

    @Test
    void aSecondServerOnTheSameFolderIsRefused(@TempDir Path dir) {
        try (RunningServer first = DatacatServer.start(ServerConfig.builder().port(0).dataDir(dir).build())) {
            assertThatThrownBy(() -> DatacatServer.start(ServerConfig.builder().port(0).dataDir(dir).build()))
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("another DataCat server is using the data folder");
            assertThat(first.port()).isPositive();
        }
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DatacatServer.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aPortInUseIsOneClearLineAndExitCode2(@TempDir Path dir) {
        try (RunningServer busy = DatacatServer.start(ServerConfig.builder().port(0).dataDir(dir.resolve("a"))
                .build())) {
            Run run = cli("--port", String.valueOf(busy.port()), "--data", dir.resolve("b").toString());
            assertThat(run.exitCode()).isEqualTo(DatacatServer.EXIT_CANNOT_START);
            assertThat(run.err()).isEqualTo("port " + busy.port() + " is in use; start with --port <another port>"
                    + System.lineSeparator());
            assertThat(run.out()).isEmpty();
        }
        // the failed start left its data folder unlocked
        DatacatServer.start(ServerConfig.builder().port(0).dataDir(dir.resolve("b")).build()).close();
    }

    @Test
    void aBadRetentionIsOneClearLineAndStartsNothing(@TempDir Path dir) {
        Run run = cli("--port", "0", "--data", dir.resolve("data").toString(), "--retention", "3 weeks");
        assertThat(run.exitCode()).isEqualTo(DatacatServer.EXIT_CANNOT_START);
        assertThat(run.err()).isEqualTo("--retention must be a number of days (90d), hours (12h), minutes (30m) or "
                + "seconds (45s), or 0 to keep every session; got '3 weeks'" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
        assertThat(dir.resolve("data")).doesNotExist();
    }

    /** The option takes seconds: the message echoes the number typed, not a conversion of it. */
    @ParameterizedTest
    @ValueSource(strings = {"-1", "0", "3153600001", "9223372036854775807"})
    void anAbnormalAfterOutOfRangeIsOneClearLineInSeconds(String seconds, @TempDir Path dir) {
        Run run = cli("--port", "0", "--data", dir.resolve("data").toString(), "--abnormal-after", seconds);
        assertThat(run.exitCode()).isEqualTo(DatacatServer.EXIT_CANNOT_START);
        assertThat(run.err()).isEqualTo("--abnormal-after must be a number of seconds from 1 to 3153600000 "
                + "(100 years), got " + seconds + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anAbnormalAfterOfPartOfASecondIsToldInSeconds() {
        assertThatThrownBy(() -> ServerConfig.builder().abnormalAfter(Duration.ofMillis(-1500)).build())
                .hasMessageEndingWith("got -1.5");
    }

    @Test
    void aDataFolderThatCannotBeMadeIsOneClearLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "in the way");
        Run run = cli("--port", "0", "--data", file.resolve("data").toString());
        assertThat(run.exitCode()).isEqualTo(DatacatServer.EXIT_CANNOT_START);
        assertThat(run.err()).startsWith("cannot create the data folder " + file.resolve("data"))
                .endsWith("choose another with --data <folder>" + System.lineSeparator())
                .doesNotContain("Exception:").doesNotContain("\tat ");
    }

    @Test
    void aBadOptionValueIsRefused() {
        Run run = cli("--sqlite-sync", "sometimes");
        assertThat(run.exitCode()).isEqualTo(DatacatServer.EXIT_CANNOT_START);
        assertThat(run.err()).contains("--sqlite-sync");
    }

    @Test
    void helpExplainsHowToAcceptOtherMachines() {
        Run run = cli("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--bind").contains("0.0.0.0").contains("--abnormal-after")
                .contains("--max-body").contains("--sqlite-sync").contains("--data").contains("--port");
    }
}

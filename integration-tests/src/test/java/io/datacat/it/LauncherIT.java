package io.datacat.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.it.support.Api;
import io.datacat.it.support.JavaProcess;
import io.datacat.it.support.Repo;
import io.datacat.it.support.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's commands, run as a newcomer runs them: {@code ./datacat server} answers
 * {@code /health}, and {@code ./datacat demo} leaves its three sessions in the server:
 * one ended, one that hung and recovered, one crashed by an uncaught exception. And what
 * they print when asked for help or given a bad option.
 */
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void serverCommandAndDemoWorkAsTheReadmeSays() throws Exception {
        int port = ServerProcess.freePort();
        String url = "http://127.0.0.1:" + port;
        String launcher = Repo.root().resolve("datacat").toString();
        Map<String, String> env = Map.of("DATACAT_HOME", dir.resolve("home").toString());
        try (JavaProcess server = JavaProcess.start(dir, "server", List.of(launcher, "server", "--port",
                Integer.toString(port), "--data", dir.resolve("data").toString()), env)) {
            Api api = new Api(url);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .failFast("./datacat server exited:\n" + server.output(), () -> !server.isAlive())
                    .until(api::healthy);
            assertThat(server.output()).contains("listening on " + url);

            JavaProcess demo = JavaProcess.start(dir, "demo", List.of(launcher, "demo", "--server", url,
                    "--seconds", "1"), env);
            assertThat(demo.waitFor(Duration.ofSeconds(120))).as(demo.output()).isZero();
            assertThat(demo.output()).contains(url + "/api/sessions/");

            await().atMost(Duration.ofSeconds(20)).until(() -> demoSessions(api).size() == 3
                    && demoSessions(api).stream().noneMatch(s -> s.get("status").asText().equals("active")));
            List<JsonNode> sessions = demoSessions(api);
            assertThat(sessions).extracting(s -> s.get("status").asText())
                    .containsExactlyInAnyOrder("ended", "ended", "crashed");
            JsonNode crashed = sessions.stream().filter(s -> s.get("status").asText().equals("crashed")).findFirst()
                    .orElseThrow();
            assertThat(api.sessionOrNull(crashed.get("id").asText()).get("crash_reason").asText())
                    .isEqualTo("uncaught_exception");
            assertThat(sessions).anyMatch(s -> s.get("status").asText().equals("ended") && s.get("hang_count").asInt() == 1);
        }
    }

    @Test
    void helpListsEveryCommandTheReadmeUses() throws Exception {
        Run help = launcher("help");
        assertThat(help.exitCode()).as(help.err()).isZero();
        String readme = Files.readString(Repo.root().resolve("README.md"));
        Matcher command = Pattern.compile("\\./datacat \\w+").matcher(readme);
        List<String> readmeCommands = new ArrayList<>();
        while (command.find()) {
            readmeCommands.add(command.group());
        }
        assertThat(readmeCommands).contains("./datacat build");
        assertThat(readmeCommands).allSatisfy(c -> assertThat(help.out()).contains("  " + c + " "));
    }

    @Test
    void demoHelpGoesToStdoutAndABadOptionIsOneLineAndTheUsage() throws Exception {
        Run help = launcher("demo", "--help");
        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("usage: ./datacat demo").contains("--server URL").contains("--seconds N");
        assertThat(help.err()).doesNotContain("usage");

        Run bad = launcher("demo", "--seconds", "abc");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err()).contains("datacat demo: --seconds must be a number above 0 and at most 3600, got 'abc'"
                + System.lineSeparator() + "usage: ./datacat demo").doesNotContain("Exception");
    }

    private record Run(int exitCode, String out, String err) {
    }

    /** Runs the launcher to its end, its stdout and stderr kept apart. */
    private Run launcher(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Repo.root().resolve("datacat").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static List<JsonNode> demoSessions(Api api) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        api.json("/api/sessions?product=DataCat%20Demo").get("sessions").forEach(out::add);
        return out;
    }
}

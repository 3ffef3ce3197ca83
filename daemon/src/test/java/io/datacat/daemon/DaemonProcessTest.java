package io.datacat.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.datacat.daemon.TestSupport.batch;
import static io.datacat.daemon.TestSupport.event;
import static io.datacat.daemon.TestSupport.newSid;
import static io.datacat.daemon.TestSupport.post;
import static io.datacat.daemon.TestSupport.seqs;
import static io.datacat.daemon.TestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The daemon as the Java client runs it: its own JVM, configured through DATACAT_CONFIG. */
class DaemonProcessTest {
    @TempDir
    Path tmp;
    private RecordingServer server;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        if (server != null) {
            server.close();
        }
    }

    /** Starts {@code java -cp <test classpath> io.datacat.daemon.DaemonMain} with a config file. */
    private Process launch(String name, String configJson) throws IOException {
        Path config = Files.writeString(tmp.resolve(name + ".json"), configJson);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), "io.datacat.daemon.DaemonMain")
                .redirectOutput(tmp.resolve(name + ".out").toFile())
                .redirectError(tmp.resolve(name + ".err").toFile());
        pb.environment().put("DATACAT_CONFIG", config.toString());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private String config(String serverUrl, String portFile, long parentPid) {
        return "{\"daemon_port\":\"0\",\"server_url\":\"" + serverUrl + "\",\"port_file\":\"" + portFile
                + "\",\"spool_dir\":\"" + tmp.resolve("spool") + "\",\"parent_pid\":" + parentPid + "}";
    }

    private static int awaitPort(Path portFile) throws IOException {
        await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(portFile));
        return Integer.parseInt(Files.readString(portFile));
    }

    private String output(String name, String stream) throws IOException {
        return Files.readString(tmp.resolve(name + "." + stream));
    }

    @Test
    void startsFromItsConfigFileDeliversAndExitsWhenItsAppDies() throws Exception {
        server = RecordingServer.start();
        Process app = new ProcessBuilder("sleep", "120").start();
        processes.add(app);
        Path portFile = tmp.resolve("run").resolve("daemon.port");
        Process daemon = launch("d", config(server.url(), portFile.toString(), app.pid()));

        int port = awaitPort(portFile);
        String sid = newSid();
        assertThat(post(port, "/v1/batch", batch(List.of(start(sid, app.pid()), event(sid, 2, "hello")))).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.records(sid).size() == 2);
        assertThat(output("d", "out")).startsWith("DataCat daemon listening on 127.0.0.1:" + port + " (spool: "
                + tmp.resolve("spool") + File.separator + "d-");

        app.destroyForcibly();

        assertThat(daemon.waitFor(10, TimeUnit.SECONDS)).as("exits once its app is gone").isTrue();
        assertThat(daemon.exitValue()).isZero();
        assertThat(server.records(sid, "crash")).hasSize(1);
        assertThat(server.records(sid, "crash").get(0).get("reason").asText()).isEqualTo("killed");
        assertThat(portFile).doesNotExist();
    }

    /** A daemon stopped (SIGSTOP) while its app goes on heartbeating must not call the app hung. */
    @Test
    void aDaemonThatStoodStillDoesNotTakeItsOwnSilenceForTheAppsHang() throws Exception {
        server = RecordingServer.start();
        Path portFile = tmp.resolve("frozen.port");
        String configJson = config(server.url(), portFile.toString(), 0);
        Process daemon = launch("frozen", configJson.substring(0, configJson.length() - 1)
                + ",\"heartbeat_timeout_seconds\":1}");
        int port = awaitPort(portFile);
        String sid = post(port, "/register", "{\"product\":\"G\",\"version\":\"1\"}").body().get("session_id")
                .asText();
        String beat = "{\"session_id\":\"" + sid + "\"}";
        post(port, "/heartbeat", beat);

        signal("STOP", daemon);
        // The app beats on while the daemon stands still: the requests wait in its socket.
        ExecutorService app = Executors.newSingleThreadExecutor();
        try {
            Future<?> beats = app.submit(() -> {
                for (int i = 0; i < 6; i++) {
                    post(port, "/heartbeat", beat);
                }
            });
            Thread.sleep(3_000);
            signal("CONT", daemon);
            beats.get(30, TimeUnit.SECONDS);
        } finally {
            app.shutdownNow();
        }
        for (int i = 0; i < 8; i++) {
            post(port, "/heartbeat", beat);
            Thread.sleep(200);
        }
        post(port, "/end", beat);
        assertThat(server.records(sid, "end")).hasSize(1);
        assertThat(server.records(sid, "hang")).isEmpty();
    }

    private static void signal(String sig, Process p) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    @Test
    void aBatchOfTwentyThousandRecordsFitsA64MiBHeap() throws Exception {
        server = RecordingServer.start();
        Path portFile = tmp.resolve("big.port");
        launch("big", config(server.url(), portFile.toString(), 0));
        int port = awaitPort(portFile);
        String sid = newSid();
        List<ObjectNode> records = new ArrayList<>(List.of(start(sid, 0)));
        for (int i = 2; i <= 20_000; i++) {
            ObjectNode e = event(sid, i, "tick");
            e.put("message", "m".repeat(650));
            records.add(e);
        }
        ObjectNode body = batch(records);
        assertThat(body.toString().length()).isGreaterThan(14 * 1024 * 1024);

        TestSupport.Reply reply = post(port, "/v1/batch", body);

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
        assertThat(reply.body().get("accepted").asInt()).isEqualTo(20_000);
        await().atMost(Duration.ofSeconds(20)).until(() -> server.records(sid).size() == 20_000);
        assertThat(output("big", "err")).doesNotContain("OutOfMemoryError");
    }

    @Test
    void whatAKilledDaemonAckedIsDeliveredByTheNextOneInOrder() throws Exception {
        Path portFile = tmp.resolve("first.port");
        Process first = launch("first", config(RecordingServer.unreachableUrl(), portFile.toString(), 0));
        int port = awaitPort(portFile);
        String sid = newSid();
        List<ObjectNode> records = new ArrayList<>(List.of(start(sid, 0)));
        for (int i = 2; i <= 50; i++) {
            records.add(event(sid, i, "e" + i));
        }
        for (int i = 0; i < records.size(); i += 10) {
            assertThat(post(port, "/v1/batch", batch(records.subList(i, i + 10))).status()).isEqualTo(200);
        }

        first.destroyForcibly();
        first.waitFor(5, TimeUnit.SECONDS);
        server = RecordingServer.start();
        Path secondPort = tmp.resolve("second.port");
        launch("second", config(server.url(), secondPort.toString(), 0));
        awaitPort(secondPort);

        await().atMost(Duration.ofSeconds(10)).until(() -> server.records(sid).size() == 50);
        assertThat(seqs(server.records(sid))).containsExactlyElementsOf(
                Stream.iterate(1L, i -> i + 1).limit(50).toList());
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try (Stream<Path> dirs = Files.list(tmp.resolve("spool"))) {
                return dirs.count() == 1;
            }
        });
    }

    @Test
    void sigtermKeepsTheSpoolOnDisk() throws Exception {
        Path portFile = tmp.resolve("d.port");
        Process daemon = launch("d", config(RecordingServer.unreachableUrl(), portFile.toString(), 0));
        int port = awaitPort(portFile);
        String sid = newSid();
        post(port, "/v1/batch", batch(List.of(start(sid, 0))));

        daemon.destroy();

        assertThat(daemon.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(output("d", "err")).contains("left 1 undelivered records");
        try (Stream<Path> files = Files.walk(tmp.resolve("spool"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".seg"))).hasSize(1);
        }
    }

    @Test
    void aBadConfigFileStopsItWithExitCode2AndSaysWhy() throws Exception {
        Process daemon = launch("bad", "{\"daemon_port\": \"0\", \"heartbeat_timeout_seconds\": \"soon\"}");

        assertThat(daemon.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).isEqualTo(2);
        assertThat(output("bad", "err")).contains("\"heartbeat_timeout_seconds\" must be a positive number of seconds");
        assertThat(output("bad", "out")).isEmpty();
    }
}

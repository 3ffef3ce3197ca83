package io.datacat.it.support;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The real daemon jar run by a test with a config of its choosing (spool bounds, say) on a
 * free loopback port, the way a compatible client or an app given {@code daemonPort} uses it.
 */
public final class DaemonProcess implements AutoCloseable {
    private final JavaProcess process;
    private final int port;

    private DaemonProcess(JavaProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Writes {@code config} (plus {@code daemon_port}) to {@code workDir/daemon_config.json},
     * starts the daemon with {@code DATACAT_CONFIG} naming it, and waits until it answers.
     */
    public static DaemonProcess start(Path workDir, Map<String, Object> config) throws IOException {
        int port = ServerProcess.freePort();
        ObjectNode json = Json.mapper().valueToTree(config);
        json.put("daemon_port", Integer.toString(port));
        Files.createDirectories(workDir);
        Path file = workDir.resolve("daemon_config.json");
        Files.write(file, Json.mapper().writeValueAsBytes(json));
        JavaProcess p = JavaProcess.start(workDir, "daemon", Repo.daemonCommand(), Map.of("DATACAT_CONFIG",
                file.toString()));
        DaemonProcess d = new DaemonProcess(p, port);
        Wait.until(Duration.ofSeconds(20), "the daemon answers on port " + port, workDir, d.local()::healthy);
        return d;
    }

    public int port() {
        return port;
    }

    /** The daemon's local API. */
    public Api local() {
        return new Api("http://127.0.0.1:" + port);
    }

    public JavaProcess process() {
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}

package io.datacat.it.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The real server jar as a separate process on a loopback port with its own data folder,
 * so a test can {@code kill -9} it and start it again on the same port and store.
 */
public final class ServerProcess implements AutoCloseable {
    private final Path dataDir;
    private final Path workDir;
    private final int port;
    private final List<String> extraArgs;
    private JavaProcess process;
    private int starts;

    private ServerProcess(Path workDir, int port, List<String> extraArgs) {
        this.workDir = workDir;
        this.dataDir = workDir.resolve("server-data");
        this.port = port;
        this.extraArgs = extraArgs;
    }

    /** Starts a server on a free port with a fresh SQLite store under {@code workDir}. */
    public static ServerProcess start(Path workDir, String... extraArgs) throws IOException {
        ServerProcess s = new ServerProcess(workDir, freePort(), List.of(extraArgs));
        s.start();
        return s;
    }

    /** (Re)starts the process on the same port and data folder, and waits until it answers. */
    public void start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Repo.java(), "-Xmx512m", "-jar", Repo.serverJar().toString(),
                "--port", Integer.toString(port), "--data", dataDir.toString()));
        cmd.addAll(extraArgs);
        process = JavaProcess.start(workDir, "server-" + (++starts), cmd, Map.of());
        Api api = api();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .failFast("the server exited; see " + workDir, () -> !process.isAlive())
                .until(api::healthy);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Api api() {
        return new Api(url());
    }

    public Path dataDir() {
        return dataDir;
    }

    public String output() {
        return process.output();
    }

    /** SIGKILL: the server gets no chance to finish anything. */
    public void kill9() throws InterruptedException {
        process.kill9();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.close();
        }
    }
}

package io.datacat.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real parts a benchmark runs against, each in its own process as in production: the
 * server jar (fresh SQLite store), and daemons started from the daemon jar.
 */
final class Stack implements AutoCloseable {
    /**
     * A folder to record JFR profiles in: the server's ({@code server-1.jfr}, … one per start),
     * the daemons' ({@code daemons/}) and the JMH forks' ({@code jmh/}, summarised by
     * {@link HotMethods}), for finding where a benchmark's time goes: {@code jfr print --events
     * jdk.ExecutionSample} or JDK Mission Control.
     */
    static final String PROFILE_ENV = "DATACAT_BENCH_PROFILE";

    private final Path repo;
    private final Path work;
    private final int serverPort;
    /** The database the server stores in, or null for a fresh SQLite store. */
    private final String postgresUrl;
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> compatDaemons = new HashMap<>();
    private Process server;
    private int serverStarts;

    private Stack(Path repo, Path work, int serverPort, String postgresUrl) {
        this.repo = repo;
        this.work = work;
        this.serverPort = serverPort;
        this.postgresUrl = postgresUrl;
    }

    /**
     * Starts a server with a fresh SQLite store, or storing in the PostgreSQL database at
     * {@code postgresUrl} (null: SQLite).
     */
    static Stack start(Path repo, String postgresUrl) throws IOException, InterruptedException {
        Stack s = new Stack(repo, Files.createTempDirectory("datacat-bench"), freePort(), postgresUrl);
        s.startServer();
        return s;
    }

    String serverUrl() {
        return "http://127.0.0.1:" + serverPort;
    }

    Path work() {
        return work;
    }

    void startServer() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx1g"));
        Path profiles = profileDir("");
        if (profiles != null) {
            Path jfr = profiles.resolve("server-" + ++serverStarts + ".jfr");
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + jfr);
            System.out.println("profiling the server into " + jfr);
        }
        command.addAll(List.of("-jar", jar("server/target/datacat-server.jar"), "--port", Integer.toString(serverPort),
                "--data", work.resolve("server-data").toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        // Only an explicit --postgres of the benchmark, never one left in the environment.
        pb.environment().remove("DATACAT_POSTGRES");
        if (postgresUrl != null) {
            pb.environment().put("DATACAT_POSTGRES", postgresUrl);
        }
        server = launch("server", pb);
        awaitHealthy(serverUrl(), server);
    }

    void stopServer() throws InterruptedException {
        server.destroy();
        server.waitFor(30, TimeUnit.SECONDS);
    }

    /** The command a client runs to start a daemon, with the JVM options of {@code ./datacat daemon}. */
    List<String> daemonCommand() {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        Path dir = profileDir("daemons");
        if (dir != null) {
            // A folder: each daemon's JVM names its own file in it (process id and time).
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + dir + "/");
        }
        command.addAll(List.of("-jar", daemonJar()));
        return command;
    }

    String daemonJar() {
        return jar("daemon/target/datacat-daemon.jar");
    }

    /**
     * The folder {@code sub} of {@link #PROFILE_ENV}'s folder, made if missing, or null when no
     * profile is asked for.
     */
    static Path profileDir(String sub) {
        String profiles = System.getenv(PROFILE_ENV);
        if (profiles == null || profiles.isBlank()) {
            return null;
        }
        try {
            return Files.createDirectories(Paths.get(profiles).toAbsolutePath().resolve(sub));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path spoolDir(String name) throws IOException {
        return Files.createDirectories(work.resolve("spool-" + name));
    }

    /** A daemon started by hand on a fixed port, for clients of the compatible API (the baseline). */
    String startCompatDaemon(String name) throws IOException, InterruptedException {
        int port = freePort();
        Path config = work.resolve(name + ".json");
        Files.writeString(config, "{\"daemon_port\":\"" + port + "\",\"server_url\":\"" + serverUrl()
                + "\",\"spool_dir\":\"" + spoolDir(name) + "\"}");
        ProcessBuilder pb = new ProcessBuilder(daemonCommand());
        pb.environment().put("DATACAT_CONFIG", config.toString());
        Process p = launch(name, pb);
        String url = "http://127.0.0.1:" + port;
        awaitHealthy(url, p);
        compatDaemons.put(url, p);
        return url;
    }

    /** Stops a daemon {@link #startCompatDaemon} started, by its URL. */
    void stopCompatDaemon(String url) throws InterruptedException {
        Process p = compatDaemons.remove(url);
        if (p != null) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            processes.remove(p);
        }
    }

    private Process launch(String name, List<String> cmd) throws IOException {
        return launch(name, new ProcessBuilder(cmd));
    }

    private Process launch(String name, ProcessBuilder pb) throws IOException {
        pb.redirectErrorStream(true);
        pb.redirectOutput(work.resolve(name + ".log").toFile());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static void awaitHealthy(String url, Process p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(url + " exited at start (code " + p.exitValue() + ")");
            }
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url + "/health").openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(1000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException(url + " did not answer /health within 60 s");
    }

    private String jar(String relative) {
        Path p = repo.resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing; build first: ./datacat build");
        }
        return p.toString();
    }

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops the processes and deletes the work folder: a full run leaves gigabytes of stores and spools in it. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            p.waitFor(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete all of " + work + ": " + e.getMessage());
        }
    }
}

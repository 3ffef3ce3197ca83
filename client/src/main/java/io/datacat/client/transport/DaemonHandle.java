package io.datacat.client.transport;

import io.datacat.client.encode.JsonWriter;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The daemon of this process for one server (shared by every session that uses it): finds
 * the {@code datacat-daemon} executable, starts it, waits until it answers, and starts a new
 * one when it dies.
 *
 * <p>Readiness is a handshake, not a sleep: the daemon is told to bind any free port
 * ({@code daemon_port "0"}) and to write the port it got to {@code port_file} once it
 * listens; then {@code GET /health} must answer. Failed starts back off exponentially
 * (250 ms doubling to 30 s) so a missing or broken daemon costs nothing but counted drops;
 * the first failure in a process is also printed, once, to stderr.
 *
 * <p>Only sender threads take {@link #startLock}, which is held across starting the daemon,
 * waiting for its port and health checks. What a caller's thread reads or does (stats,
 * synchronous calls, shutdown's bookkeeping) uses volatile fields and never takes it: a
 * logging call must not wait for a daemon to start.
 */
public final class DaemonHandle {
    private static final Map<String, DaemonHandle> HANDLES = new HashMap<String, DaemonHandle>();
    private static final AtomicInteger DIRS = new AtomicInteger();
    private static final long MAX_START_NANOS = 30_000_000_000L;
    private static final long MAX_BACKOFF_NANOS = 30_000_000_000L;
    /** Whether this process already printed that it cannot start or reach a daemon. */
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final List<String> configuredCommand;
    private final String serverUrl;
    private final int fixedPort;
    private final SpoolSettings spool;

    private final Object startLock = new Object();
    // Guarded by startLock: the sender threads' state.
    private Process process;
    /** {@link #process} answered once: if it dies, the next start is a restart. */
    private boolean processWasReady;
    /** The command {@link #process} was started with, for messages. */
    private List<String> startedCommand;
    private long startedAt;
    private int port;
    private boolean suspect;
    /**
     * The pid the daemon on {@link #fixedPort} gave in its {@code /health}, or -1: a daemon
     * someone else runs there may be restarted between two exchanges, and the new one must be
     * introduced to the session too.
     */
    private long fixedDaemonPid = -1;
    private int failures;
    private long nextAttemptAt;

    // Written under startLock, read by any thread without it.
    /** The folder beside the daemon's port file that {@link #noteEndNotDelivered} writes to. */
    private static final String EXIT_NOTES = "ended-sessions";
    private volatile File workDir;
    private volatile int generation;
    private volatile int restarts;
    private volatile String lastError;
    /** The last start failed: no daemon can ack anything before the backoff is over. */
    private volatile boolean startFailing;
    /** A daemon this handle started that has not answered yet, or null. */
    private volatile Process starting;
    /** A start that {@link #sessionEnded} gave up on by destroying the process. */
    private volatile Process abandoned;
    /** Sessions of this process whose pipelines use this handle and have not ended. */
    private final AtomicInteger sessions = new AtomicInteger();

    private DaemonHandle(List<String> command, String serverUrl, int fixedPort, SpoolSettings spool) {
        this.configuredCommand = command;
        this.serverUrl = serverUrl;
        this.fixedPort = fixedPort;
        this.spool = spool;
    }

    /**
     * The process-wide handle for these settings.
     *
     * @param fixedPort a port an existing daemon listens on (or should be started on); 0 = auto
     */
    public static DaemonHandle forSettings(List<String> command, String serverUrl, int fixedPort,
                                           SpoolSettings spool) {
        String key = command + "|" + serverUrl + "|" + fixedPort + "|" + spool;
        synchronized (HANDLES) {
            DaemonHandle h = HANDLES.get(key);
            if (h == null) {
                h = new DaemonHandle(command == null ? null : Collections.unmodifiableList(
                        new ArrayList<String>(command)), serverUrl, fixedPort, spool);
                HANDLES.put(key, h);
            }
            return h;
        }
    }

    /**
     * The port of a daemon that answers, starting one if needed, waiting at most until
     * {@code deadline} ({@code System.nanoTime()}) and no longer once {@code giveUp} says so
     * (its session's shutdown timed out).
     */
    public int ensure(long deadline, BooleanSupplier giveUp) throws IOException {
        synchronized (startLock) {
            if (port > 0 && !suspect) {
                return port;
            }
            if (port > 0) {
                // The last exchange failed: is the daemon gone, or was that a passing fault?
                if (process == null || process.isAlive()) {
                    long pid = healthPid(port, deadline);
                    if (pid != UNHEALTHY) {
                        suspect = false;
                        if (process == null && pid != fixedDaemonPid) {
                            fixedDaemonPid = pid;
                            generation++;
                        }
                        return port;
                    }
                    if (process != null) {
                        // Alive but silent (stopped, overloaded): starting another would fork a second daemon.
                        throw fail("the daemon on port " + port + " is running but not answering (log: "
                                + new File(workDir, "daemon.log") + ")");
                    }
                }
                port = 0;
                suspect = false;
            }
            if (fixedPort > 0 && process == null) {
                long pid = healthPid(fixedPort, deadline);
                if (pid != UNHEALTHY) {
                    fixedDaemonPid = pid;
                    return connected(fixedPort);
                }
            }
            if (process == null || !process.isAlive()) {
                spawn();
            }
            int readyPort = awaitPort(deadline, giveUp);
            processWasReady = true;
            starting = null;
            return connected(readyPort);
        }
    }

    /** Moves to the daemon answering on {@code daemonPort}. */
    private int connected(int daemonPort) {
        port = daemonPort;
        generation++;
        failures = 0;
        startFailing = false;
        lastError = null;
        return port;
    }

    /**
     * Changes whenever {@link #ensure} moves to another daemon: a session must introduce itself
     * (send its {@code session_start}) to each new one.
     */
    public int generation() {
        return generation;
    }

    /** Called after a failed exchange: the next {@link #ensure} checks the daemon again. */
    public void connectionFailed(int failedPort) {
        synchronized (startLock) {
            if (port == failedPort) {
                suspect = true;
            }
        }
    }

    /**
     * True while the last attempt to start a daemon failed and the next one waits for its
     * backoff: nothing can acknowledge a record until a start succeeds.
     */
    public boolean startFailing() {
        return startFailing;
    }

    /** A session began to use this handle. */
    public void sessionStarted() {
        sessions.incrementAndGet();
    }

    /**
     * A session using this handle ended (or gave up ending). Once none is left, a daemon this
     * handle started that never became ready serves nobody: it is destroyed rather than left
     * running after the app exits.
     */
    public void sessionEnded() {
        if (sessions.decrementAndGet() == 0) {
            Process unready = starting;
            if (unready != null) {
                abandoned = unready;
                unready.destroyForcibly();
            }
        }
    }

    /**
     * Leaves the daemon this handle started a note that the app ended session {@code sid} but
     * the {@code end} did not reach it before shutdown's timeout, so the daemon ends the session
     * when the app is gone instead of reporting it killed. Best effort; a daemon the app did
     * not start gets no note.
     */
    public void noteEndNotDelivered(String sid) {
        File dir = workDir;
        if (dir == null) {
            return;
        }
        File exits = new File(dir, EXIT_NOTES);
        if (exits.isDirectory() || exits.mkdirs()) {
            try {
                new File(exits, sid).createNewFile();
            } catch (IOException | SecurityException e) {
                // The daemon then reports the session killed, as without a note.
            }
        }
    }

    /** Times a new daemon had to be started because the previous one died. */
    public int restarts() {
        return restarts;
    }

    public String lastError() {
        return lastError;
    }

    private void spawn() throws IOException {
        long now = System.nanoTime();
        if (failures > 0 && now - nextAttemptAt < 0) {
            throw new IOException("waiting before starting the daemon again (" + lastError + ")");
        }
        List<String> command;
        try {
            command = resolveCommand(configuredCommand);
        } catch (IOException e) {
            throw backOff(e.getMessage());
        }
        if (workDir == null) {
            workDir = new File(System.getProperty("java.io.tmpdir"),
                    "datacat-" + ProcessInfo.pid() + "-" + DIRS.incrementAndGet());
            if (!workDir.isDirectory() && !workDir.mkdirs()) {
                throw backOff("cannot create " + workDir);
            }
        }
        File portFile = new File(workDir, "port");
        File config = new File(workDir, "daemon.json");
        Files.deleteIfExists(portFile.toPath());
        writeConfig(config, portFile);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("DATACAT_CONFIG", config.getAbsolutePath());
        pb.redirectErrorStream(true);
        // A file, not a pipe: the daemon must outlive this JVM (to report its crash), and a
        // pipe nobody reads would block it.
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(workDir, "daemon.log")));
        pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw backOff("cannot start the daemon " + command + ": " + e.getMessage());
        }
        starting = process;
        startedCommand = command;
        startedAt = System.nanoTime();
        if (processWasReady) {
            // The daemon that answered before died: this one replaces it.
            restarts++;
            processWasReady = false;
        }
    }

    private int awaitPort(long deadline, BooleanSupplier giveUp) throws IOException {
        File portFile = new File(workDir, "port");
        for (;;) {
            if (portFile.isFile()) {
                int p = readPort(portFile);
                if (p > 0 && healthy(p, deadline)) {
                    return p;
                }
            }
            if (!process.isAlive()) {
                Process dead = process;
                process = null;
                starting = null;
                if (dead == abandoned) {
                    // Destroyed on purpose by sessionEnded: no failure of the daemon's own.
                    throw new IOException("the daemon's start was abandoned when its sessions ended");
                }
                throw backOff("the daemon " + startedCommand + " exited at start (code " + dead.exitValue()
                        + "): " + logTail());
            }
            long now = System.nanoTime();
            if (now - startedAt > MAX_START_NANOS) {
                process.destroyForcibly();
                process = null;
                starting = null;
                throw backOff("the daemon " + startedCommand + " did not become ready within 30 s: " + logTail());
            }
            if (now - deadline > 0 || giveUp.getAsBoolean()) {
                throw new IOException("the daemon is still starting");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the daemon was starting");
            }
        }
    }

    private static int readPort(File f) {
        try {
            String s = new String(Files.readAllBytes(f.toPath()), StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? 0 : Integer.parseInt(s);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static boolean healthy(int port, long deadline) {
        return healthPid(port, deadline) != UNHEALTHY;
    }

    /** {@link #healthPid}: no daemon answers. */
    private static final long UNHEALTHY = -2;

    /**
     * Asks {@code /health}: the daemon's pid, -1 when it answers without one (another daemon
     * of the compatible API), or {@link #UNHEALTHY}.
     */
    private static long healthPid(int port, long deadline) {
        long remainingMs = (deadline - System.nanoTime()) / 1_000_000L;
        HttpConnection c = new HttpConnection(port);
        try {
            HttpConnection.Response r = c.exchange("GET", "/health", null, 0,
                    (int) Math.max(50, Math.min(1000, remainingMs)));
            return r.status == 200 ? pidIn(r.body) : UNHEALTHY;
        } catch (IOException e) {
            return UNHEALTHY;
        } finally {
            c.close();
        }
    }

    /** The {@code "pid":} number of a health answer, or -1. */
    static long pidIn(String body) {
        int at = body == null ? -1 : body.indexOf("\"pid\":");
        if (at < 0) {
            return -1;
        }
        long pid = 0;
        int digits = 0;
        for (int i = at + "\"pid\":".length(); i < body.length() && digits < 18; i++, digits++) {
            char ch = body.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            pid = pid * 10 + (ch - '0');
        }
        return digits == 0 ? -1 : pid;
    }

    private IOException backOff(String reason) {
        failures++;
        long delay = Math.min(MAX_BACKOFF_NANOS, 250_000_000L << Math.min(failures - 1, 10));
        nextAttemptAt = System.nanoTime() + delay;
        startFailing = true;
        return fail(reason);
    }

    private IOException fail(String reason) {
        lastError = reason;
        warnOnce(reason);
        return new IOException(reason);
    }

    /** A missing or broken daemon must not go unnoticed: one line per process, never per call. */
    private static void warnOnce(String reason) {
        if (WARNED.compareAndSet(false, true)) {
            String advice = reason.contains("DATACAT_DAEMON") ? ""
                    : " Check the daemon command: set DATACAT_DAEMON or SessionOptions.Builder.daemonCommand(...)"
                    + " to a working datacat-daemon.";
            System.err.println("DataCat: no telemetry daemon: " + reason.replace('\n', ' ')
                    + ". Logging goes on; records stay queued and are counted as dropped in Session.stats()"
                    + " until a daemon answers." + advice + " (Printed once per process.)");
        }
    }

    private void writeConfig(File config, File portFile) throws IOException {
        JsonWriter w = new JsonWriter(512);
        w.beginObject()
                .field("daemon_port", String.valueOf(fixedPort))
                .field("port_file", portFile.getAbsolutePath())
                .field("server_url", serverUrl)
                .field("parent_pid", ProcessInfo.pid());
        spool.writeTo(w);
        w.endObject();
        OutputStream out = new FileOutputStream(config);
        try {
            out.write(w.buffer(), 0, w.length());
        } finally {
            out.close();
        }
    }

    private String logTail() {
        File log = new File(workDir, "daemon.log");
        try {
            RandomAccessFile f = new RandomAccessFile(log, "r");
            try {
                long start = Math.max(0, f.length() - 600);
                byte[] tail = new byte[(int) (f.length() - start)];
                f.seek(start);
                f.readFully(tail);
                String text = new String(tail, StandardCharsets.UTF_8).trim();
                return text.isEmpty() ? "(no output; see " + log + ")" : text + " (log: " + log + ")";
            } finally {
                f.close();
            }
        } catch (IOException e) {
            return "(see " + log + ")";
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /**
     * The command that starts a daemon: the configured one, else {@code $DATACAT_DAEMON},
     * else {@code -Ddatacat.daemon}, else {@code datacat-daemon} found on the {@code PATH}.
     */
    static List<String> resolveCommand(List<String> configured) throws IOException {
        if (configured != null && !configured.isEmpty()) {
            return configured;
        }
        String env = System.getenv("DATACAT_DAEMON");
        if (env != null && !env.trim().isEmpty()) {
            return Collections.singletonList(env.trim());
        }
        String prop = System.getProperty("datacat.daemon");
        if (prop != null && !prop.trim().isEmpty()) {
            return Collections.singletonList(prop.trim());
        }
        String path = System.getenv("PATH");
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        List<String> names = windows ? Arrays.asList("datacat-daemon.exe", "datacat-daemon.cmd", "datacat-daemon.bat")
                : Collections.singletonList("datacat-daemon");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                for (String name : names) {
                    File f = new File(dir, name);
                    if (f.isFile() && f.canExecute()) {
                        return Collections.singletonList(f.getAbsolutePath());
                    }
                }
            }
        }
        throw new IOException("datacat-daemon was not found: put it on the PATH, set DATACAT_DAEMON to its path, "
                + "or pass SessionOptions.Builder.daemonCommand(...)");
    }
}

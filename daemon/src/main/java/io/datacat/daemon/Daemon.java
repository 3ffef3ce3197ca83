package io.datacat.daemon;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.daemon.api.DaemonRoutes;
import io.datacat.daemon.api.LocalApi;
import io.datacat.daemon.api.ServerQueries;
import io.datacat.daemon.compat.CompatService;
import io.datacat.daemon.compat.MachineIdentity;
import io.datacat.daemon.forward.Forwarder;
import io.datacat.daemon.forward.IngestClient;
import io.datacat.daemon.session.DaemonClock;
import io.datacat.daemon.session.RecordWriter;
import io.datacat.daemon.session.SessionEntry;
import io.datacat.daemon.session.SessionRegistry;
import io.datacat.daemon.spool.AtomicFiles;
import io.datacat.daemon.spool.FsyncPolicy;
import io.datacat.daemon.spool.Spool;
import io.datacat.daemon.watch.HangWatcher;
import io.datacat.daemon.watch.ProcessWatcher;
import io.datacat.protocol.Json;

import java.io.Closeable;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A running daemon: local API, spool, forwarder, process and hang watch, lifecycle. Embeddable:
 * {@link #start(DaemonConfig)} returns once the API listens (and the port file is written);
 * {@link #close()} stops it leaving undelivered data on disk for the next daemon.
 */
public final class Daemon implements Closeable {
    public static final String VERSION = "0.1.0";

    private static final Duration CRASH_GRACE = Duration.ofMillis(300);
    private static final Duration QUIET_AFTER_LAST_SESSION = Duration.ofSeconds(2);
    private static final Duration ADOPTION_SCAN = Duration.ofSeconds(30);

    private final DaemonConfig config;
    private final Spool spool;
    private final SessionRegistry registry;
    private final CompatService compat;
    private final Forwarder forwarder;
    private final ProcessWatcher processes;
    private final HangWatcher hangs;
    private final Lifecycle lifecycle;
    private final ScheduledExecutorService scheduler;
    private final Map<String, LocalApi.Route> routes;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private LocalApi api;
    private boolean closed;

    private Daemon(DaemonConfig config, Spool spool) {
        this.config = config;
        this.spool = spool;
        this.registry = new SessionRegistry(config.heartbeatTimeout().toMillis());
        RecordWriter writer = new RecordWriter(spool, registry, new DaemonClock());
        this.compat = new CompatService(registry, writer, lazy(MachineIdentity::detect), config.heartbeatTimeout().toMillis());
        // Built on first use, by the forwarder thread: creating it takes a quarter of a second,
        // which the app waiting for the port file should not pay.
        Supplier<HttpClient> http = lazy(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1).build());
        this.forwarder = new Forwarder(spool, registry,
                new IngestClient(http, config.serverUrl(), config.apiKey(), config.compressToServer()));
        spool.onAppend(forwarder::wake);
        // The app that started this daemon notes sessions it ended beside the port file it gave.
        this.processes = new ProcessWatcher(registry, writer, config.parentPid(), CRASH_GRACE,
                config.portFile() == null ? null : config.portFile().resolveSibling("ended-sessions"));
        this.hangs = new HangWatcher(registry, writer, processes);
        this.lifecycle = new Lifecycle(QUIET_AFTER_LAST_SESSION, config.linger());
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "datacat-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ServerQueries queries = new ServerQueries(http, config.serverUrl(), config.apiKey());
        this.routes = DaemonRoutes.table(writer, compat, registry, queries, this::health);
    }

    /**
     * Starts a daemon: creates and locks its spool directory, listens on 127.0.0.1, writes
     * the port file, then adopts dead daemons' spools and starts delivering.
     */
    public static Daemon start(DaemonConfig config) throws IOException {
        Spool spool = Spool.open(new Spool.Options(config.spoolDir(), config.spoolMaxBytes(), config.spoolMaxAge(),
                config.spoolFsync()));
        Daemon d = new Daemon(config, spool);
        try {
            d.api = LocalApi.start(config.port(), d.routes);
            if (config.portFile() != null) {
                Files.createDirectories(config.portFile().toAbsolutePath().getParent());
                AtomicFiles.write(config.portFile(), Integer.toString(d.api.port()).getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        d.forwarder.start();
        d.schedule();
        return d;
    }

    private void schedule() {
        every(Duration.ofMillis(100), processes::poll);
        every(Duration.ofMillis(250), hangs::check);
        if (config.spoolFsync() == FsyncPolicy.INTERVAL) {
            every(config.spoolFsyncInterval(), spool::forceIfDirty);
        }
        every(Duration.ofSeconds(1), spool::enforceBounds);
        every(ADOPTION_SCAN, () -> {
            if (spool.adoptDeadSiblings() > 0) {
                forwarder.wake();
            }
        });
        every(Duration.ofMillis(250), this::checkLifecycle);
    }

    /** Runs a task periodically; a failure is logged and the task keeps its schedule. */
    private void every(Duration period, Runnable task) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                // A task that throws is never run again by the scheduler: even an OutOfMemoryError
                // is logged here and the task keeps its schedule.
                Log.error("periodic task failed", e);
            }
        }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void checkLifecycle() {
        Lifecycle.Facts facts = new Lifecycle.Facts(config.hasParent(), processes.parentAlive(), registry.size() > 0,
                registry.allFinal(), forwarder.adoptedAtStart() && spool.drained());
        Lifecycle.Decision d = lifecycle.decide(facts, System.nanoTime());
        if (d == Lifecycle.Decision.STAY) {
            return;
        }
        if (d == Lifecycle.Decision.EXIT_DELIVERED) {
            Log.info("the app is done and everything is delivered; exiting");
        } else {
            Log.warn("the app is done but the server could not take everything within linger_seconds ("
                    + config.linger().toSeconds() + " s); exiting and leaving " + spool.pendingRecords()
                    + " records in " + spool.ownDir() + " for the next daemon");
        }
        // Not on this scheduler thread: close() waits for the scheduler to stop.
        Thread t = new Thread(this::close, "datacat-exit");
        t.start();
    }

    public int port() {
        return api.port();
    }

    /** This daemon's own spool directory. */
    public Path spoolDirectory() {
        return spool.ownDir();
    }

    /** Completes with the exit code once the daemon has stopped (by itself or by {@link #close()}). */
    public CompletableFuture<Integer> exitCode() {
        return exit;
    }

    private ObjectNode health() {
        ObjectNode h = Json.mapper().createObjectNode();
        h.put("status", "ok");
        h.put("sessions", registry.size());
        h.put("pid", ProcessHandle.current().pid());
        h.put("version", VERSION);
        ObjectNode s = h.putObject("spool");
        s.put("dir", spool.ownDir().toString());
        s.put("bytes", spool.bytes());
        s.put("pending_records", spool.pendingRecords());
        s.put("evicted_records", spool.evictions().total());
        s.put("max_bytes", config.spoolMaxBytes());
        s.put("max_age_seconds", config.spoolMaxAge().toSeconds());
        s.put("fsync", config.spoolFsync().wire());
        Forwarder.Stats stats = forwarder.stats();
        ObjectNode f = h.putObject("forward");
        f.put("server_url", config.serverUrl());
        f.put("server_reachable", stats.serverReachable());
        f.put("sent_records", stats.sentRecords());
        f.put("sent_batches", stats.sentBatches());
        f.put("rejected_frames", stats.rejectedFrames());
        f.put("last_error", stats.lastError());
        return h;
    }

    /**
     * Stops accepting requests, lets those in progress finish, spools what the compatible
     * counters and histograms hold, stops forwarding and closes the spool: what is not
     * delivered stays on disk for the next daemon. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (api != null) {
            api.close();
        }
        // No interrupt first: an fsync interrupted in the middle closes the spool's file channel,
        // and the spool could then not be closed cleanly (nor its delivered directory removed).
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        forwarder.close();
        try {
            spool.close();
        } catch (IOException e) {
            Log.error("closing the spool failed", e);
        }
        deletePortFile();
        exit.complete(0);
    }

    private void deletePortFile() {
        Path file = config.portFile();
        try {
            if (file != null && api != null && Files.exists(file)
                    && Files.readString(file).trim().equals(Integer.toString(api.port()))) {
                Files.delete(file);
            }
        } catch (IOException e) {
            Log.warn("cannot remove the port file " + file + ": " + e.getMessage());
        }
    }

    private static <T> Supplier<T> lazy(Supplier<T> compute) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = compute.get();
                }
                return value;
            }
        };
    }
}

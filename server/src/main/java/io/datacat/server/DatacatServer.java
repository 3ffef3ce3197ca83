package io.datacat.server;

import io.datacat.protocol.Limits;
import io.datacat.protocol.Timestamps;
import io.datacat.server.ingest.CommitListener;
import io.datacat.server.ingest.Ingestor;
import io.datacat.server.live.LiveFeed;
import io.datacat.server.live.ChangeRelay;
import io.datacat.server.query.MetricQueries;
import io.datacat.server.query.ProductQueries;
import io.datacat.server.query.RecordQueries;
import io.datacat.server.query.SessionQueries;
import io.datacat.server.retention.RetentionSweeper;
import io.datacat.server.status.AbnormalSweeper;
import io.datacat.server.store.PostgresStore;
import io.datacat.server.store.SqliteStore;
import io.datacat.server.store.SqliteSync;
import io.datacat.server.store.Store;
import io.datacat.server.store.StoreException;
import io.datacat.server.web.WebServer;
import io.javalin.util.JavalinBindException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code datacat-server}: the command line, and {@link #start(ServerConfig)} for embedding. */
@Command(name = "datacat-server", mixinStandardHelpOptions = true, version = "DataCat server " + DatacatServer.VERSION,
        sortOptions = false,
        description = "Receives DataCat telemetry from daemons, stores it (SQLite in the data folder, or PostgreSQL) "
                + "and serves the REST API and the web UI. See server/README.md for the routes.")
public final class DatacatServer implements Callable<Integer> {
    public static final String VERSION = "0.1.0";
    /** Exit code when the server cannot start (port in use, data folder not usable, bad option). */
    public static final int EXIT_CANNOT_START = 2;

    @Option(names = "--port", paramLabel = "<port>", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "TCP port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "<address>", defaultValue = ServerConfig.DEFAULT_BIND,
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only). "
                    + "Use 0.0.0.0 to accept daemons on other machines.")
    String bind;

    @Option(names = "--data", paramLabel = "<folder>", defaultValue = ServerConfig.DEFAULT_DATA_DIR,
            description = "Data folder, created if missing; holds the SQLite file " + SqliteStore.FILE_NAME
                    + " (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--max-body", paramLabel = "<bytes>", defaultValue = "" + Limits.DEFAULT_MAX_BODY_BYTES,
            description = "Largest request body in bytes, after gzip inflation; larger ones get 413 "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--abnormal-after", paramLabel = "<seconds>",
            defaultValue = "" + ServerConfig.DEFAULT_ABNORMAL_AFTER_SECONDS,
            description = "Seconds of silence after which an active session is marked abnormal; counted from the "
                    + "server's own start, or the end of a database outage, at the earliest (default: ${DEFAULT-VALUE}).")
    long abnormalAfter;

    @Option(names = "--sqlite-sync", paramLabel = "normal|full", defaultValue = "normal",
            description = "SQLite durability: normal (default) survives a crash of the server; full also survives "
                    + "a power loss, at some cost per batch.")
    SqliteSync sqliteSync;

    @Option(names = "--retention", paramLabel = "<duration>", defaultValue = "0",
            description = "How long to keep a session after it ended: days (90d), hours (12h), minutes (30m) or "
                    + "seconds (45s); older ones are deleted with all their records. 0 (default) keeps every session.")
    String retention;

    @Option(names = "--postgres", paramLabel = "<url>", defaultValue = "${env:DATACAT_POSTGRES}",
            description = "Store in this PostgreSQL database instead of SQLite, e.g. "
                    + "postgresql://datacat:secret@db.example:5432/datacat (also read from the environment variable "
                    + "DATACAT_POSTGRES, which keeps the password off the command line). Several servers may share "
                    + "one database.")
    String postgres;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, ready to {@code execute}. */
    public static CommandLine commandLine() {
        return new CommandLine(new DatacatServer()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() throws InterruptedException {
        RunningServer server;
        try {
            server = start(ServerConfig.builder().port(port).bind(bind).dataDir(data).maxBodyBytes(maxBody)
                    .abnormalAfter(Duration.ofSeconds(abnormalAfter)).sqliteSync(sqliteSync)
                    .retention(RetentionSweeper.parse(retention)).postgresUrl(postgres).build());
        } catch (ServerStartException | IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return EXIT_CANNOT_START;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "datacat-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("DataCat server " + VERSION + " listening on http://" + hostForUrl(bind) + ":" + server.port()
                + "/ (store: " + server.store().describe() + ")");
        out.println("Retention: " + RetentionSweeper.describe(server.retention()));
        out.flush();
        server.awaitClosed();
        return 0;
    }

    /**
     * Starts a server: opens (or creates) the store, SQLite in the data folder or the
     * PostgreSQL database, starts the sweepers and listens.
     *
     * @throws ServerStartException with a one-line reason when it cannot
     */
    public static RunningServer start(ServerConfig config) {
        Store store;
        try {
            store = config.postgresUrl() != null ? PostgresStore.open(config.postgresUrl())
                    : SqliteStore.open(prepareDataDir(config.dataDir()), config.sqliteSync());
        } catch (StoreException e) {
            throw new ServerStartException(e.getMessage(), e);
        }
        LiveFeed live = new LiveFeed();
        // Servers sharing a database: every server's writes, this one's too, reach the live
        // pages through the database, so all pages see them in the same (commit) order.
        CommitListener toLivePages = live;
        if (store.sharedByServers()) {
            store.onChanges(new ChangeRelay(store, live));
            toLivePages = CommitListener.NONE;
        }
        AbnormalSweeper sweeper = new AbnormalSweeper(store, config.abnormalAfter(), Timestamps::nowMicros,
                toLivePages);
        RetentionSweeper retention = new RetentionSweeper(store, config.retention(), Timestamps::nowMicros);
        try {
            WebServer web = WebServer.start(config.bind(), config.port(), config.maxBodyBytes(),
                    new WebServer.Services(new Ingestor(store, Timestamps::nowMicros, toLivePages), new SessionQueries(store),
                            new RecordQueries(store), new MetricQueries(store), new ProductQueries(store), live,
                            VERSION));
            sweeper.start();
            retention.start();
            String host = isWildcard(config.bind()) ? "127.0.0.1" : hostForUrl(config.bind());
            return new RunningServer(web, live, sweeper, retention, config.retention(), store,
                    "http://" + host + ":" + web.port() + "/");
        } catch (JavalinBindException e) {
            live.close();
            sweeper.close();
            retention.close();
            store.close();
            throw new ServerStartException(bindFailure(config, e), e);
        } catch (RuntimeException e) {
            live.close();
            sweeper.close();
            retention.close();
            store.close();
            throw new ServerStartException("cannot listen on " + config.bind() + ":" + config.port() + ": "
                    + e.getMessage() + "; check --bind and --port", e);
        }
    }

    /** Javalin reports every bind failure as "port in use"; the cause tells which it was. */
    private static String bindFailure(ServerConfig config, JavalinBindException e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException be && be.getMessage() != null && be.getMessage().contains("in use")) {
                return "port " + config.port() + " is in use; start with --port <another port>";
            }
            root = t;
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return "cannot listen on " + config.bind() + ":" + config.port() + " (" + reason + "); check --bind and --port";
    }

    private static Path prepareDataDir(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs);
        } catch (IOException | SecurityException e) {
            throw new ServerStartException("cannot create the data folder " + abs + " (" + reason(e)
                    + "); choose another with --data <folder>", e);
        }
        if (!Files.isWritable(abs)) {
            throw new ServerStartException("the data folder " + abs + " is not writable; fix its permissions or "
                    + "choose another with --data <folder>");
        }
        return abs;
    }

    private static String reason(Exception e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getClass().getSimpleName();
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}

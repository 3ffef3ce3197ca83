package io.datacat.daemon;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code datacat-daemon [--config FILE]}: the config file is {@code --config}, else the file
 * named by {@code DATACAT_CONFIG}, else none (defaults). Exit codes: 0 when done, 1 when it
 * cannot start, 2 for a bad command line or config.
 */
public final class DaemonMain {
    private static final String USAGE = "usage: datacat-daemon [--config FILE] [--version]\n"
            + "  The config file may also be named by the environment variable DATACAT_CONFIG.\n"
            + "  Its keys are listed in daemon/README.md, \"Daemon reference\".";

    private DaemonMain() {
    }

    public static void main(String[] args) {
        DaemonConfig config;
        try {
            config = configFrom(args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("datacat-daemon: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config == null) {
            return;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(config);
        } catch (BindException e) {
            System.err.println("datacat-daemon: cannot listen on 127.0.0.1:" + config.port() + " (" + e.getMessage()
                    + "); another program uses that port: set daemon_port to 0 to take any free port");
            System.exit(1);
            return;
        } catch (IOException e) {
            System.err.println("datacat-daemon: cannot start: " + e);
            System.exit(1);
            return;
        }
        System.out.println("DataCat daemon listening on 127.0.0.1:" + daemon.port() + " (spool: "
                + daemon.spoolDirectory() + ")");
        System.out.flush();
        // SIGTERM / SIGINT: stop accepting, finish the write in progress, keep the spool on disk.
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "datacat-shutdown"));
        System.exit(daemon.exitCode().join());
    }

    /** The config the command line and environment ask for, or null after {@code --version}/{@code --help}. */
    static DaemonConfig configFrom(String[] args, Map<String, String> env) throws ConfigException {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        throw new ConfigException("--config needs a file name\n" + USAGE);
                    }
                    file = Path.of(args[++i]);
                }
                case "--version" -> {
                    System.out.println("datacat-daemon " + Daemon.VERSION);
                    return null;
                }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return null;
                }
                default -> throw new ConfigException("unknown argument '" + args[i] + "'\n" + USAGE);
            }
        }
        String fromEnv = env.get("DATACAT_CONFIG");
        if (file == null && fromEnv != null && !fromEnv.isBlank()) {
            file = Path.of(fromEnv);
        }
        return file == null ? DaemonConfig.builder(env).build() : DaemonConfig.load(file, env);
    }
}

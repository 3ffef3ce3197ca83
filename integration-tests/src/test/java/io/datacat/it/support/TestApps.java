package io.datacat.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the fault-test apps of {@code io.datacat.it.apps} as separate JVMs, with the
 * arguments they all take first: server URL, daemon (the real daemon jar the client starts,
 * or the port of a daemon the test runs), and the test's spool root. The app's temp folder is
 * inside {@code workDir}, so the logs of the daemons it starts stay with the test.
 */
public final class TestApps {
    private TestApps() {
    }

    /** An app that starts its own daemon from the real daemon jar. */
    public static JavaProcess start(Path workDir, String name, Class<?> app, List<String> jvmArgs, String serverUrl,
                                    SpoolRoot spool, String... appArgs) throws IOException {
        return start(workDir, name, app, jvmArgs, serverUrl, Repo.daemonJar().toString(), spool, appArgs);
    }

    /** An app that uses the daemon listening on {@code daemonPort}. */
    public static JavaProcess startWithDaemonPort(Path workDir, String name, Class<?> app, String serverUrl,
                                                  int daemonPort, SpoolRoot spool, String... appArgs)
            throws IOException {
        return start(workDir, name, app, List.of(), serverUrl, Integer.toString(daemonPort), spool, appArgs);
    }

    /**
     * An app whose client starts its daemon from {@code daemon}, a jar path (one that does not
     * exist makes an app that can never start a daemon), or uses the daemon on that port when
     * {@code daemon} is a number.
     */
    public static JavaProcess start(Path workDir, String name, Class<?> app, List<String> jvmArgs, String serverUrl,
                                    String daemon, SpoolRoot spool, String... appArgs) throws IOException {
        Path tmp = workDir.resolve(name + "-tmp");
        Files.createDirectories(tmp);
        List<String> jvm = new ArrayList<>(jvmArgs);
        jvm.add("-Djava.io.tmpdir=" + tmp);
        List<String> args = new ArrayList<>(List.of(serverUrl, daemon, spool.path().toString()));
        args.addAll(List.of(appArgs));
        return JavaProcess.start(workDir, name, jvm, app.getName(), args, Map.of());
    }

    /** The session id an app prints first ({@code SESSION <id>}). */
    public static String sessionId(JavaProcess app) {
        return app.awaitLine("SESSION ", Duration.ofSeconds(30)).substring("SESSION ".length()).trim();
    }

    /** What an app's {@code Session.stats()} said at its end ({@code STATS sent dropped queued daemonRestarts}). */
    public record Stats(long sent, long dropped, long queued, int daemonRestarts) {
    }

    public static Stats stats(JavaProcess app) {
        String[] f = app.awaitLine("STATS ", Duration.ofSeconds(5)).split(" ");
        return new Stats(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Integer.parseInt(f[4]));
    }
}

package io.datacat.it.apps;

import io.datacat.client.SessionOptions;
import io.datacat.client.Stats;

import java.util.Arrays;

/**
 * The arguments every fault-test app starts with, {@code serverUrl daemon spoolDir}, turned
 * into session options. {@code daemon} is the daemon jar the client starts a daemon from, or
 * the port of a daemon the test runs itself.
 */
final class AppOptions {
    /** How many leading arguments {@link #fromArgs} consumes. */
    static final int COMMON_ARGS = 3;

    private AppOptions() {
    }

    static SessionOptions.Builder fromArgs(String product, String[] args) {
        SessionOptions.Builder b = SessionOptions.builder(product, "1.0").serverUrl(args[0]).spoolDir(args[2]);
        String daemon = args[1];
        return daemon.matches("\\d+") ? b.daemonPort(Integer.parseInt(daemon)) : b.daemonCommand(daemonCommand(daemon));
    }

    /** The command that starts the real daemon jar, as an app that ships the daemon would. */
    static String[] daemonCommand(String daemonJar) {
        String java = System.getProperty("java.home") + "/bin/java";
        return Arrays.asList(java, "-Xmx128m", "-XX:+UseSerialGC", "-jar", daemonJar).toArray(new String[0]);
    }

    /** The line tests parse: {@code STATS sent dropped queued daemonRestarts}. */
    static String statsLine(Stats s) {
        return "STATS " + s.sent() + " " + s.dropped() + " " + s.queued() + " " + s.daemonRestarts();
    }
}

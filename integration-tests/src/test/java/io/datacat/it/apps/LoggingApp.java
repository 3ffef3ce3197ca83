package io.datacat.it.apps;

import io.datacat.client.Datacat;
import io.datacat.client.Level;
import io.datacat.client.Session;
import io.datacat.client.SessionOptions;
import io.datacat.client.Stats;

import java.time.Duration;

/**
 * A real app process for the end-to-end tests: logs {@link Script}'s known set through a
 * real daemon, then shuts down and prints its stats.
 *
 * <p>Arguments: {@code serverUrl daemonJar spoolDir mode(async|sync) steps statePatchEvery
 * queueSize dropOnFull}. Prints {@code SESSION <id>} at once and {@code STATS sent dropped
 * queued} at the end.
 */
public final class LoggingApp {
    private LoggingApp() {
    }

    public static void main(String[] args) {
        String server = args[0];
        String daemonJar = args[1];
        String spool = args[2];
        boolean async = args[3].equals("async");
        int steps = Integer.parseInt(args[4]);
        int stateEvery = Integer.parseInt(args[5]);
        int queue = Integer.parseInt(args[6]);
        boolean dropOnFull = Boolean.parseBoolean(args[7]);
        Session s = Datacat.createSession(SessionOptions.builder("ItGame", "2.0").serverUrl(server)
                .daemonCommand(AppOptions.daemonCommand(daemonJar)).spoolDir(spool).asyncMode(async).queueSize(queue)
                .dropOnFull(dropOnFull).build());
        System.out.println("SESSION " + s.id());
        for (int i = 0; i < steps; i++) {
            s.logEvent("step", Level.INFO, Script.eventData(i));
            if (i % stateEvery == 0) {
                s.updateState(Script.patch(i / stateEvery));
            }
            s.logGauge("fps", 60 - i % 5);
            s.increment("hits");
            s.logHistogram("frame_ms", Script.frameMs(i));
        }
        s.logException(new IllegalStateException("broken save", new NumberFormatException("For input string: \"x\"")));
        boolean delivered = s.shutdown(Duration.ofSeconds(30));
        Stats st = s.stats();
        System.out.println("STATS " + st.sent() + " " + st.dropped() + " " + st.queued() + " " + delivered);
    }
}

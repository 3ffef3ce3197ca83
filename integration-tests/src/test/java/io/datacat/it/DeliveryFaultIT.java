package io.datacat.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.it.apps.StreamApp;
import io.datacat.it.support.Api;
import io.datacat.it.support.JavaProcess;
import io.datacat.it.support.Logs;
import io.datacat.it.support.ServerProcess;
import io.datacat.it.support.SpoolRoot;
import io.datacat.it.support.StreamRecords;
import io.datacat.it.support.TestApps;
import io.datacat.it.support.Wait;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly once, in order, whatever dies: a real app streams {@value #RECORDS} records from an
 * {@code AsyncSession} (drop disabled, a queue larger than the stream) through the daemon it
 * started into a real server, and the test {@code kill -9}s the daemon or the server in the
 * middle, or keeps the server down while the session logs.
 */
class DeliveryFaultIT {
    private static final int RECORDS = 100_000;
    /**
     * The stream lasts about 10 s: long enough that a kill lands in its middle even when the
     * daemon and the server lag seconds behind the app (two cores shared with other builds).
     */
    private static final int RECORDS_PER_MILLI = 10;
    /** The daemon has acked this many calls when the test kills it. */
    private static final int KILL_DAEMON_AFTER_ACKED = RECORDS / 4;
    /** The server has stored this many records when the test kills it. */
    private static final int KILL_SERVER_AFTER_STORED = RECORDS / 20;
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(90);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private ServerProcess server;
    private SpoolRoot spool;
    private final List<JavaProcess> apps = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = ServerProcess.start(dir.resolve("server"));
        spool = new SpoolRoot(dir.resolve("spool"));
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (JavaProcess app : apps) {
            app.close();
        }
        spool.killDaemons();
        server.close();
    }

    @Test
    void killingTheDaemonMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        JavaProcess app = startStream("DaemonKill", RECORDS, RECORDS_PER_MILLI);
        String id = TestApps.sessionId(app);
        ProcessHandle daemon = app.awaitChild(Duration.ofSeconds(20));
        long ackedAtKill = awaitAcked(app, KILL_DAEMON_AFTER_ACKED);

        daemon.destroyForcibly();
        daemon.onExit().get(10, TimeUnit.SECONDS);
        assertStillLogging(app);
        System.out.printf("[DeliveryFaultIT] daemon %d killed after acking %d of %d calls, %d records on the "
                + "server%n", daemon.pid(), ackedAtKill, RECORDS, stored("DaemonKill"));

        TestApps.Stats stats = awaitStreamEnd(app);
        assertThat(stats.daemonRestarts()).as("the client started a new daemon").isGreaterThanOrEqualTo(1);
        awaitDelivered(id);
        assertThat(Logs.all(dir.resolve("app"), "daemon.log")).as("the new daemon delivered the dead one's spool")
                .contains("adopted the spool of a dead daemon");
    }

    @Test
    void killingTheServerMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        JavaProcess app = startStream("ServerKill", RECORDS, RECORDS_PER_MILLI);
        String id = TestApps.sessionId(app);
        long storedAtKill = awaitStored("ServerKill", KILL_SERVER_AFTER_STORED);

        server.kill9();
        long down = System.nanoTime();
        assertStillLogging(app);
        server.start();
        System.out.printf("[DeliveryFaultIT] server killed with %d of %d records stored, back after %d ms%n",
                storedAtKill, RECORDS, (System.nanoTime() - down) / 1_000_000);

        awaitStreamEnd(app);
        awaitDelivered(id);
    }

    @Test
    void aSessionLoggedWhileTheServerIsDownIsDeliveredInOrderOnceItIsBack() throws Exception {
        int records = 20_000;
        server.kill9();
        JavaProcess app = startStream("ServerDown", records, 0);
        String id = TestApps.sessionId(app);
        TestApps.Stats stats = awaitStreamEnd(app, records);
        assertThat(stats.daemonRestarts()).isZero();
        assertThat(spool.daemonDirs()).as("the daemon keeps the session in its spool").hasSize(1);

        server.start();
        Duration catchUp = awaitDelivered(id, records);
        System.out.printf("[DeliveryFaultIT] %d records spooled during the outage reached the server %d ms after "
                + "it came back%n", records, catchUp.toMillis());
    }

    private JavaProcess startStream(String product, int records, int perMilli) throws IOException {
        JavaProcess app = TestApps.start(dir.resolve("app"), "app", StreamApp.class, List.of(), server.url(), spool,
                product, Integer.toString(records), Integer.toString(perMilli));
        apps.add(app);
        return app;
    }

    /** Waits until the app says its daemon acked at least {@code count} calls; returns how many it said. */
    private long awaitAcked(JavaProcess app, long count) {
        long[] acked = {0};
        Wait.until(Duration.ofSeconds(60), "the daemon acked " + count + " calls", dir, () -> {
            // PROGRESS <calls made> <calls acked>
            for (String line : app.output().split("\n")) {
                if (line.startsWith("PROGRESS ")) {
                    acked[0] = Math.max(acked[0], Long.parseLong(line.split(" ")[2]));
                }
            }
            return acked[0] >= count;
        });
        return acked[0];
    }

    /** The kill hit the middle of the stream: the app had not made all its calls yet. */
    private static void assertStillLogging(JavaProcess app) {
        assertThat(app.output()).as("the app was still logging at the kill").doesNotContain("LOGGED");
    }

    /** Waits until the server stores at least {@code count} records of the product's session; returns how many. */
    private long awaitStored(String product, long count) {
        long[] stored = {0};
        Wait.until(Duration.ofSeconds(60), count + " records of " + product + " on the server", dir, () -> {
            stored[0] = stored(product);
            return stored[0] >= count;
        });
        return stored[0];
    }

    private long stored(String product) throws IOException {
        List<JsonNode> sessions = server.api().sessions(product);
        return sessions.isEmpty() ? 0 : sessions.get(0).at("/counts/records").asLong();
    }

    private TestApps.Stats awaitStreamEnd(JavaProcess app) throws InterruptedException {
        return awaitStreamEnd(app, RECORDS);
    }

    /** The app ends by itself, having handed every call to a daemon: nothing dropped, nothing left queued. */
    private TestApps.Stats awaitStreamEnd(JavaProcess app, int records) throws InterruptedException {
        assertThat(app.waitFor(DELIVERY_TIMEOUT)).as(app.output()).isZero();
        TestApps.Stats stats = TestApps.stats(app);
        assertThat(stats.sent()).as("calls acked by a daemon").isEqualTo(records);
        assertThat(stats.dropped()).as("calls dropped").isZero();
        assertThat(stats.queued()).as("calls still queued").isZero();
        assertThat(app.output()).contains("DELIVERED true");
        return stats;
    }

    private void awaitDelivered(String id) throws Exception {
        awaitDelivered(id, RECORDS);
    }

    /**
     * Waits until the session is ended on the server and checks it record by record; then
     * every daemon must have delivered its spool (an adopted one included) and removed it.
     * Returns how long the session took to end.
     */
    private Duration awaitDelivered(String id, int records) throws Exception {
        Api api = server.api();
        Duration took = Wait.until(DELIVERY_TIMEOUT, "session " + id + " ended on the server", dir,
                () -> "ended".equals(api.status(id)));
        StreamRecords.assertExactlyOnceInOrder(api, id, records);
        Wait.until(Duration.ofSeconds(30), "every daemon delivered its spool and left", dir,
                () -> spool.daemonDirs().isEmpty());
        return took;
    }
}

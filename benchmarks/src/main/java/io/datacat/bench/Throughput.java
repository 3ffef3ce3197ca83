package io.datacat.bench;

import io.datacat.client.Datacat;
import io.datacat.client.Level;
import io.datacat.client.Session;
import io.datacat.client.SessionOptions;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Records per second: end to end (client → daemon → server → SQLite), and the server's ingest alone. */
final class Throughput {
    /** Records per batch of the server-ingest benchmark, the most a daemon sends in one request. */
    private static final int BATCH = 5_000;
    /** How long a benchmark waits for a daemon to deliver what it spooled before giving up. */
    private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(10);
    /**
     * Records sent through the server before end to end is timed. On 2 busy cores the server's
     * JIT needs about this much to finish compiling its ingest path: measured in alternating
     * runs, 200,000 gave 159,000-162,000 records/s and 1,000,000 gave 170,000-177,000.
     */
    private static final int WARM_UP_RECORDS = 1_000_000;

    private Throughput() {
    }

    /**
     * One client logs {@code records} events as fast as it can (a full queue waits rather than
     * drops) through its own daemon; the clock stops when the server has committed them all.
     */
    static double endToEnd(Stack stack, int records) throws Exception {
        // Untimed first, through a session of its own: a server runs for long and is warm, while
        // each game session's daemon starts cold, as the timed one below does.
        Session warmUp = throughputSession(stack, "throughput-warm-up");
        logEvents(warmUp, WARM_UP_RECORDS);
        warmUp.shutdown(Duration.ofMinutes(5));
        awaitStored(stack, warmUp.id(), WARM_UP_RECORDS + 2L);
        Session s = throughputSession(stack, "throughput");
        long start = System.nanoTime();
        logEvents(s, records);
        s.shutdown(Duration.ofMinutes(5));
        awaitStored(stack, s.id(), records + 2L);
        return records / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * The first hop alone: with the server stopped, one client logs {@code records} events as
     * fast as it can; the clock stops when its daemon has acked them all, which it does once
     * they are in its spool on disk.
     */
    static double clientToDaemon(Stack stack, int records) throws Exception {
        stack.stopServer();
        Session s;
        double perSecond;
        try {
            s = throughputSession(stack, "throughput-hop");
            long start = System.nanoTime();
            logEvents(s, records);
            if (!s.flush(Duration.ofMinutes(5)) || s.stats().sent() != records) {
                throw new IllegalStateException("the daemon did not ack every record: " + s.stats());
            }
            perSecond = records / ((System.nanoTime() - start) / 1e9);
            s.shutdown(Duration.ofSeconds(10));
        } finally {
            stack.startServer();
        }
        // The daemon now delivers its backlog: the next measurement must not share the server with it.
        awaitStored(stack, s.id(), records + 2L);
        return perSecond;
    }

    private static void checkDeadline(long deadline, String sid) {
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("session " + sid + " did not reach the server within "
                    + DELIVERY_TIMEOUT.toMinutes() + " minutes: its daemon stopped delivering");
        }
    }

    /** Waits until the server has the session's end, its last record (each hop keeps a session's order). */
    static void awaitEnded(Stack stack, String sid) throws IOException, InterruptedException {
        String url = stack.serverUrl() + "/api/sessions/" + sid + "/summary";
        long deadline = System.nanoTime() + DELIVERY_TIMEOUT.toNanos();
        while (true) {
            Map<?, ?> session = summary(url);
            if (session != null && "ended".equals(session.get("status"))) {
                return;
            }
            checkDeadline(deadline, sid);
            Thread.sleep(20);
        }
    }

    /** Waits until the server has committed {@code expected} records of the session. */
    private static void awaitStored(Stack stack, String sid, long expected) throws IOException, InterruptedException {
        // The summary is one row: the full session JSON embeds its latest 1,000 events, and
        // building it 50 times a second would take a fifth of the server's CPU from the ingest.
        String url = stack.serverUrl() + "/api/sessions/" + sid + "/summary";
        long deadline = System.nanoTime() + DELIVERY_TIMEOUT.toNanos();
        while (true) {
            Map<?, ?> session = summary(url);
            Map<?, ?> counts = session == null ? null : (Map<?, ?>) session.get("counts");
            if (counts != null && ((Number) counts.get("records")).longValue() >= expected) {
                return;
            }
            Number evicted = session == null ? null : (Number) session.get("spool_evicted");
            if (evicted != null && evicted.longValue() > 0) {
                throw new IllegalStateException("the daemon's spool reached its bound and evicted " + evicted
                        + " records: the server ingests slower than the client logs; run fewer records");
            }
            checkDeadline(deadline, sid);
            Thread.sleep(20);
        }
    }

    /**
     * A session whose daemon is up (its start-up is not throughput) and whose full queue waits.
     * Its daemon's spool may hold 1 GiB (the default is 128 MiB): the client logs faster than a
     * server storing in PostgreSQL takes the records, and the backlog must wait on disk, not be
     * evicted, for the clock to measure the whole run.
     */
    private static Session throughputSession(Stack stack, String name) throws IOException {
        Session s = Datacat.createSession(SessionOptions.builder("ThroughputBench", "1.0")
                .serverUrl(stack.serverUrl()).daemonCommand(stack.daemonCommand().toArray(new String[0]))
                .spoolDir(stack.spoolDir(name).toString()).spoolMaxBytes(1L << 30).asyncMode(true)
                .queueSize(1 << 17).dropOnFull(false).crashReporting(false).build());
        s.flush(Duration.ofSeconds(60));
        return s;
    }

    private static void logEvents(Session s, int records) {
        Map<String, Object> data = new HashMap<>();
        data.put("kind", "orc");
        for (int i = 0; i < records; i++) {
            data.put("i", i);
            s.logEvent("enemy_spawned", Level.INFO, data);
        }
    }

    /**
     * {@code threads} senders post prepared batches of 5,000 records to {@code /api/ingest} as
     * plain JSON, as a daemon does when the server is on its loopback.
     */
    static double serverIngest(Stack stack, int records, int threads) throws Exception {
        // Untimed first: the server may just have been (re)started, and its JIT warm-up is not throughput.
        postAll(stack, batches(Math.max(records / 10, 100_000)), threads);
        List<byte[]> batches = batches(records);
        long start = System.nanoTime();
        postAll(stack, batches, threads);
        return records / BATCH * (double) BATCH / ((System.nanoTime() - start) / 1e9);
    }

    private static List<byte[]> batches(int records) {
        List<byte[]> batches = new ArrayList<>();
        for (int b = 0; b < records / BATCH; b++) {
            batches.add(batch(UUID.randomUUID().toString(), BATCH));
        }
        return batches;
    }

    private static void postAll(Stack stack, List<byte[]> batches, int threads) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                    try {
                        post(stack.serverUrl() + "/api/ingest", batches.get(i));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            senders.add(th);
            th.start();
        }
        for (Thread th : senders) {
            th.join();
        }
    }

    /** A batch like a daemon sends: one session's events with small data maps. */
    static byte[] batch(String sid, int n) {
        StringBuilder sb = new StringBuilder(n * 150);
        long ts = System.currentTimeMillis() * 1000;
        sb.append("{\"records\":[");
        sb.append("{\"sid\":\"").append(sid).append("\",\"seq\":1,\"kind\":\"session_start\",\"ts\":").append(ts)
                .append(",\"product\":\"IngestBench\",\"version\":\"1.0\"}");
        for (int i = 2; i <= n; i++) {
            sb.append(",{\"sid\":\"").append(sid).append("\",\"seq\":").append(i).append(",\"kind\":\"event\",\"ts\":")
                    .append(ts + i).append(",\"name\":\"enemy_spawned\",\"level\":\"info\",\"data\":{\"kind\":\"orc\",\"i\":")
                    .append(i).append("}}");
        }
        sb.append("]}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void post(String url, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(body.length);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IOException("ingest answered " + status + ": " + answer);
            }
        }
    }

    /** The session's summary, or null while the server has none of its records yet. */
    private static Map<?, ?> summary(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        if (c.getResponseCode() == 404) {
            return null;
        }
        try (InputStream in = c.getInputStream()) {
            return Json.mapper().readValue(in, Map.class);
        }
    }
}

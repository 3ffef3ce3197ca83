package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Stands in for the DataCat server in tests: records what the daemon posts to
 * {@code /api/ingest} and answers what the test tells it to (to inject faults).
 */
final class RecordingServer implements AutoCloseable {
    /** An answer to an ingest request. */
    record Answer(int status, String error) {
        static final Answer OK = new Answer(200, null);
    }

    private final HttpServer server;
    private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
    private final List<String> encodings = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger ingestRequests = new AtomicInteger();
    private final Map<String, Answer> gets = new ConcurrentHashMap<>();
    private final Map<String, String> getBodies = new ConcurrentHashMap<>();
    private volatile Function<JsonNode, Answer> ingest = b -> Answer.OK;
    /** Whether answers say {@code Datacat-Order: kept}, as the real server's do. */
    private volatile boolean keepsOrder = true;
    /** Per stream of numbered requests: the highest stored, and the lowest not stored. */
    private final Map<String, Long> streams = new HashMap<>();
    private final Map<String, Long> failedAt = new HashMap<>();
    private final Object concurrency = new Object();
    private int inProgress;
    private int maxInProgress;

    private RecordingServer(HttpServer server) {
        this.server = server;
    }

    static RecordingServer start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        RecordingServer r = new RecordingServer(s);
        s.createContext("/", r::handle);
        // Several threads, as the real server has: numbered requests wait for their turn.
        s.setExecutor(Executors.newCachedThreadPool(t -> {
            Thread thread = new Thread(t, "recording-server");
            thread.setDaemon(true);
            return thread;
        }));
        s.start();
        return r;
    }

    /** A URL where nothing listens: connections are refused. */
    static String unreachableUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How to answer each ingest request from now on. */
    void onIngest(Function<JsonNode, Answer> answer) {
        ingest = answer;
    }

    /** Answer like a server that predates numbered requests (no {@code Datacat-Order: kept}). */
    void withoutOrder() {
        keepsOrder = false;
    }

    /** What to answer to {@code GET path}. */
    void onGet(String path, int status, String body) {
        gets.put(path, new Answer(status, null));
        getBodies.put(path, body);
    }

    int ingestRequests() {
        return ingestRequests.get();
    }

    List<String> encodings() {
        return List.copyOf(encodings);
    }

    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Every accepted batch, in arrival order. */
    List<JsonNode> batches() {
        return List.copyOf(accepted);
    }

    /** Accepted records, without the duplicates a real server would drop, in arrival order. */
    List<JsonNode> records() {
        Map<String, JsonNode> unique = new LinkedHashMap<>();
        for (JsonNode b : accepted) {
            for (JsonNode r : b.path("records")) {
                unique.putIfAbsent(r.get("sid").asText() + "/" + r.path("src").asText("app") + "/"
                        + r.get("seq").asLong(), r);
            }
        }
        return new ArrayList<>(unique.values());
    }

    List<JsonNode> records(String sid) {
        return records().stream().filter(r -> r.get("sid").asText().equals(sid)).toList();
    }

    List<JsonNode> records(String sid, String kind) {
        return records(sid).stream().filter(r -> r.get("kind").asText().equals(kind)).toList();
    }

    /** The highest value of a session counter seen in any accepted batch (what the server keeps). */
    long maxCounter(String sid, String field) {
        long max = 0;
        for (JsonNode b : accepted) {
            max = Math.max(max, b.path("sessions").path(sid).path(field).asLong());
        }
        return max;
    }

    /** Accepted batches without records (keep-alives). */
    List<JsonNode> keepAlives() {
        return accepted.stream().filter(b -> b.path("records").isEmpty()).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/api/ingest") && ex.getRequestMethod().equals("POST")) {
                ingestRequests.incrementAndGet();
                synchronized (concurrency) {
                    inProgress++;
                    maxInProgress = Math.max(maxInProgress, inProgress);
                    concurrency.notifyAll();
                }
                try {
                    ingest(ex);
                } finally {
                    synchronized (concurrency) {
                        inProgress--;
                    }
                }
            } else if (gets.containsKey(path) && ex.getRequestMethod().equals("GET")) {
                send(ex, gets.get(path).status(), getBodies.get(path));
            } else {
                send(ex, 404, "{\"error\":\"Not found\"}");
            }
        }
    }

    private void ingest(HttpExchange ex) throws IOException {
        String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
        encodings.add(String.valueOf(enc));
        authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        InputStream in = "gzip".equals(enc) ? new GZIPInputStream(ex.getRequestBody()) : ex.getRequestBody();
        JsonNode batch = Json.parse(in.readAllBytes());
        String ticket = ex.getRequestHeaders().getFirst("Datacat-Order");
        if (!awaitTurn(ticket)) {
            send(ex, 503, "{\"error\":\"an earlier request of this stream was not stored\"}");
            return;
        }
        Answer a = null;
        try {
            a = ingest.apply(batch);
            if (a.status() == 200) {
                accepted.add(batch);
            }
        } finally {
            finished(ticket, a != null && a.status() == 200);
        }
        ObjectNode out = Json.mapper().createObjectNode();
        if (a.status() == 200) {
            out.put("status", "ok").put("accepted", batch.path("records").size()).put("duplicates", 0);
        } else {
            out.put("error", a.error());
        }
        if (keepsOrder) {
            ex.getResponseHeaders().set("Datacat-Order", "kept");
        }
        send(ex, a.status(), out.toString());
    }

    /** The most ingest requests in progress at once so far. */
    int maxConcurrentIngests() {
        synchronized (concurrency) {
            return maxInProgress;
        }
    }

    /** Waits (for an answer function) until {@code n} ingest requests are in progress, or {@code max} passed. */
    void awaitConcurrentIngests(int n, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (concurrency) {
            while (inProgress < n && System.nanoTime() < deadline) {
                try {
                    concurrency.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * The real server's order for numbered requests ({@code <stream>/<n>}): n waits until n - 1
     * of its stream was stored, and is refused if n - 1 was not.
     */
    private boolean awaitTurn(String ticket) {
        if (ticket == null) {
            return true;
        }
        int slash = ticket.indexOf('/');
        String stream = ticket.substring(0, slash);
        long n = Long.parseLong(ticket.substring(slash + 1));
        long deadline = System.nanoTime() + 10_000_000_000L;
        synchronized (streams) {
            while (n > 1 && streams.getOrDefault(stream, 0L) < n - 1) {
                if (failedAt.getOrDefault(stream, Long.MAX_VALUE) < n || System.nanoTime() > deadline) {
                    return false;
                }
                try {
                    streams.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void finished(String ticket, boolean stored) {
        if (ticket == null) {
            return;
        }
        int slash = ticket.indexOf('/');
        String stream = ticket.substring(0, slash);
        long n = Long.parseLong(ticket.substring(slash + 1));
        synchronized (streams) {
            if (stored) {
                streams.merge(stream, n, Math::max);
            } else {
                failedAt.merge(stream, n, Math::min);
            }
            streams.notifyAll();
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

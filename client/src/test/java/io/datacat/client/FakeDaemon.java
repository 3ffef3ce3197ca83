package io.datacat.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Batch;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.SessionCounters;
import io.datacat.protocol.WireRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Stands in for the daemon in the client's own tests, where faults must be injected on
 * demand (stall, refuse, fail): it speaks the daemon's {@code /health} and {@code /v1/batch}
 * and validates every batch with the protocol module, as the real daemon does. The
 * end-to-end tests in integration-tests use the real daemon.
 */
final class FakeDaemon implements AutoCloseable {
    private final HttpServer server;
    final List<WireRecord> records = new CopyOnWriteArrayList<>();
    final List<SessionCounters> counters = new CopyOnWriteArrayList<>();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger invalidBatches = new AtomicInteger();
    final AtomicInteger requestsWaiting = new AtomicInteger();
    /** The largest batch body received, in bytes. */
    final AtomicLong largestBody = new AtomicLong();
    private volatile CountDownLatch stall;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failStatus = 503;
    private volatile boolean refuseAll;
    private volatile String poisonName;

    FakeDaemon() {
        this(0, -1);
    }

    /** A daemon on {@code port} (0: any) whose {@code /health} gives {@code pid} (-1: none, as compatible ones). */
    FakeDaemon(int port, long pid) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool());
        String health = pid < 0 ? "{\"status\":\"ok\"}" : "{\"status\":\"ok\",\"pid\":" + pid + "}";
        server.createContext("/health", ex -> respond(ex, 200, health));
        server.createContext("/v1/batch", this::batch);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Holds every batch request until {@link #release()}. */
    void stall() {
        stall = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch s = stall;
        stall = null;
        if (s != null) {
            s.countDown();
        }
    }

    void failNext(int count, int status) {
        failStatus = status;
        failuresLeft.set(count);
    }

    void refuseAll(boolean refuse) {
        refuseAll = refuse;
    }

    /** Refuses every batch holding a record of this name, naming the record as the real daemon does. */
    void refuseRecordsNamed(String name) {
        poisonName = name;
    }

    private void batch(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        largestBody.accumulateAndGet(body.length, Math::max);
        if (body.length > Limits.DEFAULT_MAX_BODY_BYTES) {
            // As the real daemon: a body over its limit is refused whole, every time it is sent.
            respond(ex, 413, error("the body is larger than " + Limits.DEFAULT_MAX_BODY_BYTES + " bytes", null));
            return;
        }
        CountDownLatch s = stall;
        if (s != null) {
            requestsWaiting.incrementAndGet();
            try {
                s.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                requestsWaiting.decrementAndGet();
            }
        }
        if (refuseAll) {
            respond(ex, 400, "{\"error\":\"refused by the test\"}");
            return;
        }
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            respond(ex, failStatus, "{\"error\":\"failing on purpose\"}");
            return;
        }
        Batch b;
        try {
            b = Batch.parse(body);
        } catch (InvalidInputException e) {
            invalidBatches.incrementAndGet();
            respond(ex, 400, error(e.getMessage(), e.field()));
            return;
        } catch (RuntimeException e) {
            invalidBatches.incrementAndGet();
            respond(ex, 400, error(String.valueOf(e.getMessage()), null));
            return;
        }
        String poison = poisonName;
        for (int i = 0; poison != null && i < b.records().size(); i++) {
            if (poison.equals(b.records().get(i).name())) {
                respond(ex, 400, error("records[" + i + "].name is poison", "records[" + i + "].name"));
                return;
            }
        }
        records.addAll(b.records());
        counters.addAll(b.sessions().values());
        batches.incrementAndGet();
        respond(ex, 200, "{\"status\":\"ok\",\"accepted\":" + b.records().size() + "}");
    }

    /** The real daemon's error body: {@code {"error": ..., "field": ...}}. */
    private static String error(String message, String field) {
        ObjectNode o = Json.mapper().createObjectNode().put("error", message);
        if (field != null) {
            o.put("field", field);
        }
        return o.toString();
    }

    private static void respond(HttpExchange ex, int status, String json) throws IOException {
        byte[] out = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    List<WireRecord> ofKind(RecordKind kind) {
        return records.stream().filter(r -> r.kind() == kind).collect(Collectors.toList());
    }

    List<Long> seqs() {
        List<Long> out = new ArrayList<>();
        for (WireRecord r : records) {
            out.add(r.seq());
        }
        return out;
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}

package io.datacat.bench;

import io.datacat.protocol.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline: an asynchronous logger built the way the game-logging guide describes it —
 * a bounded {@code java.util.concurrent} blocking queue (10,000, drop when full) drained by a
 * worker thread that sends each record over HTTP to the daemon's compatible routes. Each
 * call allocates its queue item and copies its map (a Java logger must snapshot a map the
 * game goes on changing).
 */
final class BlockingQueueLogger implements GameLogger {
    private final ArrayBlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(10_000);
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final String daemon;
    private final String sessionId;
    private final Thread worker;
    private volatile boolean running = true;

    BlockingQueueLogger(String daemonUrl) throws IOException {
        this.daemon = daemonUrl;
        Map<String, Object> register = new LinkedHashMap<>();
        register.put("parent_pid", ProcessHandle.current().pid());
        register.put("product", "BaselineGame");
        register.put("version", "1.0");
        this.sessionId = Json.mapper().readTree(post("/register", register)).get("session_id").asText();
        this.worker = new Thread(this::drain, "baseline-worker");
        worker.setDaemon(true);
        worker.start();
    }

    private void enqueue(Object... item) {
        if (!queue.offer(item)) {
            dropped.increment();
        }
    }

    @Override
    public void event(String name, Map<String, ?> data) {
        enqueue("/event", name, data == null ? null : new HashMap<>(data));
    }

    @Override
    public void state(Map<String, ?> patch) {
        enqueue("/state", null, deepCopy(patch));
    }

    @Override
    public void gauge(String name, double value) {
        enqueue("/metric", name, "gauge", value);
    }

    @Override
    public void counter(String name, double delta) {
        enqueue("/metric", name, "counter", delta);
    }

    @Override
    public void histogram(String name, double value) {
        enqueue("/metric", name, "histogram", value);
    }

    @Override
    public void counterHandle() {
        counter("enemies", 1);
    }

    @Override
    public void gaugeHandle(double value) {
        gauge("fps_handle", value);
    }

    @Override
    public void histogramHandle(double value) {
        histogram("frame_ms", value);
    }

    @Override
    public void heartbeat() {
        enqueue("/heartbeat", null, null);
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    private static Map<String, Object> deepCopy(Map<String, ?> m) {
        Map<String, Object> copy = new HashMap<>();
        m.forEach((k, v) -> copy.put(k, v instanceof Map ? deepCopy((Map<String, ?>) v) : v));
        return copy;
    }

    private void drain() {
        while (running) {
            Object[] item;
            try {
                item = queue.poll(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (item != null) {
                send(item);
            }
        }
    }

    private void send(Object[] item) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("session_id", sessionId);
        String route = (String) item[0];
        switch (route) {
            case "/event":
                body.put("name", item[1]);
                body.put("category", "info");
                body.put("data", item[2] == null ? Map.of() : item[2]);
                break;
            case "/state":
                body.put("state", item[2]);
                break;
            case "/metric":
                body.put("name", item[1]);
                body.put("type", item[2]);
                body.put("value", item[2].equals("counter") ? 0 : item[3]);
                if (item[2].equals("counter")) {
                    body.put("delta", item[3]);
                }
                body.put("tags", List.of());
                break;
            default:
                break;
        }
        try {
            post(route, body);
        } catch (IOException e) {
            failed.increment();
        }
    }

    private String post(String route, Map<String, Object> body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(daemon + route).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setConnectTimeout(2_000);
        c.setReadTimeout(10_000);
        c.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = c.getOutputStream()) {
            out.write(Json.mapper().writeValueAsBytes(body));
        }
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IOException(route + " answered " + status + ": " + answer);
            }
            return answer;
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(5_000);
            post("/end", Map.of("session_id", sessionId));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            failed.increment();
        }
    }
}

package io.datacat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Timestamps;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Helpers shared by the daemon's tests: config, records, and a small HTTP client for the local API. */
final class TestSupport {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestSupport() {
    }

    /** A daemon config for tests: any free port, spool under {@code dir}, fast aggregation. */
    static DaemonConfig.Builder config(Path dir, String serverUrl) {
        return DaemonConfig.builder(Map.of()).port(0).serverUrl(serverUrl).spoolDir(dir.resolve("spool"))
                .batchInterval(Duration.ofMillis(200)).enableCompression(true);
    }

    /** A JSON answer of the daemon. */
    record Reply(int status, JsonNode body) {
        String error() {
            return body.path("error").asText();
        }
    }

    static Reply post(int port, String path, String body) {
        return send(port, "POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    static Reply post(int port, String path, JsonNode body) {
        return post(port, path, body.toString());
    }

    static Reply get(int port, String pathAndQuery) {
        return send(port, "GET", pathAndQuery, null);
    }

    static Reply send(int port, String method, String path, byte[] body) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<byte[]> resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json;
            try {
                json = Json.parse(resp.body());
            } catch (InvalidInputException e) {
                throw new AssertionError("the daemon answered " + resp.statusCode() + " with a body that is not JSON: "
                        + new String(resp.body(), StandardCharsets.UTF_8));
            }
            return new Reply(resp.statusCode(), json);
        } catch (IOException e) {
            throw new AssertionError("request to the daemon failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String newSid() {
        return UUID.randomUUID().toString();
    }

    /** A record with the common fields. */
    static ObjectNode record(String sid, long seq, String kind) {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("sid", sid);
        r.put("seq", seq);
        r.put("kind", kind);
        r.put("ts", Timestamps.nowMicros());
        return r;
    }

    static ObjectNode start(String sid, long pid) {
        ObjectNode r = record(sid, 1, "session_start");
        r.put("product", "TestGame");
        r.put("version", "1.0");
        r.put("client", "java/0.1.0");
        if (pid > 0) {
            r.put("pid", pid);
        }
        return r;
    }

    static ObjectNode event(String sid, long seq, String name) {
        ObjectNode r = record(sid, seq, "event");
        r.put("name", name);
        return r;
    }

    /** {@code {"records": [...]}} plus, when given, a sessions map. */
    static ObjectNode batch(List<ObjectNode> records, ObjectNode sessions) {
        ObjectNode b = Json.mapper().createObjectNode();
        b.putArray("records").addAll(records);
        if (sessions != null) {
            b.set("sessions", sessions);
        }
        return b;
    }

    static ObjectNode batch(List<ObjectNode> records) {
        return batch(records, null);
    }

    /** A sessions map entry for one session. */
    static ObjectNode sessions(String sid, long clientDropped, long lastHeartbeat, Boolean hangPaused) {
        ObjectNode s = Json.mapper().createObjectNode();
        ObjectNode c = s.putObject(sid);
        c.put("client_dropped", clientDropped);
        c.put("last_heartbeat", lastHeartbeat);
        if (hangPaused != null) {
            c.put("hang_paused", hangPaused);
        }
        return s;
    }

    static ObjectNode json(String text) {
        return Json.parseObject(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code seq} values of records, in order. */
    static List<Long> seqs(List<JsonNode> records) {
        return records.stream().map(r -> r.get("seq").asLong()).toList();
    }
}

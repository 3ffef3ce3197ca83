package io.datacat.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The server's REST API as a test reads it: plain HTTP, JSON parsed with the protocol's mapper. */
public final class Api {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;

    public Api(String base) {
        this.base = base;
    }

    public boolean healthy() {
        try {
            return get("/health").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    public HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public HttpResponse<String> post(String path, String json) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws IOException {
        try {
            return HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** GET that must answer 200; returns the parsed body. */
    public JsonNode json(String path) throws IOException {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    /** The session, or null while the server does not know it yet. */
    public JsonNode sessionOrNull(String id) throws IOException {
        HttpResponse<String> r = get("/api/sessions/" + id);
        return r.statusCode() == 404 ? null : Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    public String status(String id) throws IOException {
        JsonNode s = sessionOrNull(id);
        return s == null ? null : s.get("status").asText();
    }

    public JsonNode state(String id) throws IOException {
        return json("/api/sessions/" + id + "/state").get("state");
    }

    /**
     * The sessions of a product as the sessions list shows them (summary, status and record
     * counts, without the embedded records of the full session): cheap enough to poll.
     */
    public List<JsonNode> sessions(String product) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        json("/api/sessions?limit=500&product=" + URLEncoder.encode(product, StandardCharsets.UTF_8))
                .get("sessions").forEach(out::add);
        return out;
    }

    /** Every record of a session (optionally of some kinds), following the cursor to the end. */
    public List<JsonNode> records(String id, String kinds) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            String q = "/api/sessions/" + id + "/records?limit=1000" + (kinds == null ? "" : "&kind=" + kinds)
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            JsonNode page = json(q);
            page.get("records").forEach(out::add);
            JsonNode next = page.get("next_cursor");
            cursor = next == null || next.isNull() ? null : next.asText();
        } while (cursor != null);
        return out;
    }
}

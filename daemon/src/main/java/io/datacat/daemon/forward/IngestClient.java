package io.datacat.daemon.forward;

import com.fasterxml.jackson.databind.JsonNode;
import io.datacat.protocol.Bytes;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * Posts batches to the server's {@code POST /api/ingest} and says what the answer means for
 * the data: delivered, refused for good (a poison batch), or try again.
 */
public final class IngestClient {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    /** The server keeps a stream's numbered requests in order (server/README.md, "Ingest"). */
    static final String ORDER_HEADER = "Datacat-Order";

    /** What became of one request. */
    public sealed interface Outcome {
    }

    /** The server stored the batch (2xx). */
    public record Accepted() implements Outcome {
    }

    /** The server refuses this data and will refuse it again (a 4xx about the batch). */
    public record Rejected(int status, String error) implements Outcome {
    }

    /** Not delivered this time: no connection, timeout, 5xx, 408, 429, or a server-wide refusal. */
    public record Failed(String reason) implements Outcome {
    }

    private final Supplier<HttpClient> http;
    private volatile boolean serverKeepsOrder;
    private final URI ingest;
    private final String apiKey;
    private final boolean gzip;

    public IngestClient(Supplier<HttpClient> http, String serverUrl, String apiKey, boolean gzip) {
        this.http = http;
        this.ingest = URI.create(serverUrl + "/api/ingest");
        this.apiKey = apiKey;
        this.gzip = gzip;
    }

    /**
     * Whether the server's last answer said it stores numbered requests in order
     * ({@code Datacat-Order: kept}); until one does, requests go one at a time.
     */
    boolean serverKeepsOrder() {
        return serverKeepsOrder;
    }

    /** Builds the HTTP client now, off the path of anyone waiting. */
    void warmUp() {
        http.get();
    }

    /**
     * Posts a batch.
     *
     * @param ticket its place in the sender's stream ({@code <stream>/<n>}, the server's
     *               {@code Datacat-Order} header), or null for a request stored as it comes
     */
    public Outcome post(Bytes batchJson, String ticket) throws InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(ingest).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json");
        if (ticket != null) {
            req.header(ORDER_HEADER, ticket);
        }
        byte[] body = batchJson.array();
        int length = batchJson.size();
        if (gzip) {
            body = gzip(body, length);
            length = body.length;
            req.header("Content-Encoding", "gzip");
        }
        if (!apiKey.isEmpty()) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http.get().send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            return new Failed("no answer from " + ingest + " within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            return new Failed("cannot connect to " + ingest + " (" + (e.getMessage() != null ? e.getMessage()
                    : "connection refused") + ")");
        } catch (IOException e) {
            return new Failed("request to " + ingest + " failed: " + e);
        }
        int status = resp.statusCode();
        serverKeepsOrder = resp.headers().firstValue(ORDER_HEADER).map("kept"::equals).orElse(false);
        String error = errorText(resp.body());
        if (status >= 200 && status < 300) {
            return new Accepted();
        }
        if (status == 401 || status == 403) {
            return new Failed("the server refuses the daemon's credentials (" + status + ": " + error
                    + "); set api_key in the daemon config");
        }
        if (status == 404 || status == 405) {
            return new Failed(ingest + " does not take batches (" + status + "); check server_url");
        }
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            return new Rejected(status, error);
        }
        return new Failed("the server answered " + status + ": " + error);
    }

    /** The server's {@code error} field when the body is JSON, else the body's first bytes. */
    private static String errorText(InputStream body) {
        byte[] bytes;
        try (InputStream in = body) {
            bytes = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return "(unreadable answer: " + e.getMessage() + ")";
        }
        try {
            JsonNode err = Json.parse(bytes).get("error");
            if (err != null && err.isTextual()) {
                return err.asText();
            }
        } catch (InvalidInputException e) {
            // Not JSON: show the text itself.
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        return text.length() > 500 ? text.substring(0, 500) + "…" : text;
    }

    private static byte[] gzip(byte[] bytes, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(bytes, 0, length);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory cannot fail", e);
        }
        return out.toByteArray();
    }
}

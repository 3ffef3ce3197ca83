package io.datacat.daemon.api;

import io.datacat.protocol.BoundedInputStream;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Limits;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.Optional;

/** Read-only requests to the server for the compatible {@code GET /session} and {@code GET /sessions}. */
public final class ServerQueries {
    /** Short: a compatible client waits for the answer, and the daemon has a local view to fall back on. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** The server's answer. */
    public record Answer(int status, byte[] body) {
    }

    private final Supplier<HttpClient> http;
    private final String serverUrl;
    private final String apiKey;

    public ServerQueries(Supplier<HttpClient> http, String serverUrl, String apiKey) {
        this.http = http;
        this.serverUrl = serverUrl;
        this.apiKey = apiKey;
    }

    /** The server's answer to {@code GET path}, or empty when it cannot be reached or the answer is too large. */
    public Optional<Answer> get(String path) throws InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(serverUrl + path)).timeout(TIMEOUT).GET();
        if (!apiKey.isEmpty()) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<InputStream> resp = http.get().send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            String encoding = resp.headers().firstValue("Content-Encoding").orElse(null);
            return Optional.of(new Answer(resp.statusCode(),
                    BoundedInputStream.readAll(resp.body(), encoding, Limits.DEFAULT_MAX_BODY_BYTES)));
        } catch (IOException | InvalidInputException e) {
            return Optional.empty();
        }
    }
}

package io.datacat.daemon.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.datacat.protocol.BoundedInputStream;
import io.datacat.protocol.InvalidInputException;
import io.datacat.protocol.Json;
import io.datacat.protocol.Limits;
import io.datacat.protocol.PayloadTooLargeException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** One request to the local API; its body is read as a stream, inflated and bounded to 16 MiB. */
public final class ApiRequest {
    private final HttpExchange exchange;

    ApiRequest(HttpExchange exchange) {
        this.exchange = exchange;
    }

    /**
     * The body, gzip inflated, failing with {@link PayloadTooLargeException} past 16 MiB. The
     * failure is thrown unchecked from {@code read}, so it crosses a JSON parser unchanged.
     */
    public InputStream body() {
        try {
            return BoundedInputStream.forBody(exchange.getRequestBody(),
                    exchange.getRequestHeaders().getFirst("Content-Encoding"), Limits.DEFAULT_MAX_BODY_BYTES);
        } catch (IOException e) {
            throw new InvalidInputException("could not read the request body: " + e.getMessage());
        }
    }

    /** The body as a JSON object. */
    public ObjectNode json() {
        try (InputStream in = body()) {
            return Json.parseObject(in);
        } catch (IOException e) {
            throw new InvalidInputException("could not read the request body: " + e.getMessage());
        }
    }

    /** A query parameter, or null. */
    public String query(String name) {
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}

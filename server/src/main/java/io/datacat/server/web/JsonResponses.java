package io.datacat.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.javalin.http.Context;

/** Writes JSON answers. */
final class JsonResponses {
    static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private JsonResponses() {
    }

    static void send(Context ctx, int status, JsonNode body) {
        try {
            ctx.status(status).contentType(CONTENT_TYPE).result(Json.mapper().writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a response", e);
        }
    }

    static void ok(Context ctx) {
        send(ctx, 200, object().put("status", "ok"));
    }

    /** {@code {"error": message, "field": field}}; the field only when known. */
    static void error(Context ctx, int status, String message, String field) {
        ObjectNode body = object().put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        send(ctx, status, body);
    }

    static ObjectNode object() {
        return Json.mapper().createObjectNode();
    }
}

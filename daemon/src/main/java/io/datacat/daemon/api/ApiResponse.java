package io.datacat.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;

/** A JSON answer: status and body bytes. */
public record ApiResponse(int status, byte[] body) {

    public static ApiResponse json(int status, JsonNode node) {
        try {
            return new ApiResponse(status, Json.mapper().writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /** {@code {"status":"ok"}}, the compatible routes' success. */
    public static ApiResponse ok() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("status", "ok");
        return json(200, o);
    }

    /** {@code {"error": message}} plus {@code field} when known. */
    public static ApiResponse error(int status, String message, String field) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("error", message);
        if (field != null) {
            o.put("field", field);
        }
        return json(status, o);
    }
}

package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.protocol.RecordKind;
import io.datacat.protocol.Timestamps;
import io.datacat.server.store.RecordBodies;
import io.datacat.server.store.StoredRecord;

import java.util.Map;

/** The JSON of a record in query responses and in the live stream. */
public final class RecordJson {
    private RecordJson() {
    }

    /**
     * {@code seq}, {@code src}, {@code kind}, {@code ts} (µs), {@code timestamp} (RFC 3339),
     * then the record's own fields.
     */
    public static ObjectNode of(StoredRecord r) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("seq", r.seq());
        n.put("src", r.src().wire());
        n.put("kind", r.kind().wire());
        n.put("ts", r.ts());
        n.put("timestamp", Timestamps.format(r.ts()));
        for (Map.Entry<String, JsonNode> e : RecordBodies.decode(r.body()).properties()) {
            if (!n.has(e.getKey())) {
                n.set(e.getKey(), e.getValue());
            }
        }
        return n;
    }

    /**
     * An event as the compatible session JSON shows it: the fields existing clients expect
     * are always present ({@code category} falls back to the level, which is where a
     * compatible client's category went).
     */
    static ObjectNode compatEvent(StoredRecord r) {
        ObjectNode n = of(r);
        if (r.kind() == RecordKind.EVENT || r.kind() == RecordKind.EXCEPTION) {
            if (!n.hasNonNull("category")) {
                n.set("category", n.get("level"));
            }
            n.putIfAbsent("group", n.textNode(""));
            n.putIfAbsent("labels", n.nullNode());
            n.putIfAbsent("message", n.textNode(""));
            n.putIfAbsent("data", n.nullNode());
        }
        return n;
    }
}

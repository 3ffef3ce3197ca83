package io.datacat.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datacat.protocol.Json;
import io.datacat.server.store.StatePath;

import java.util.Comparator;
import java.util.Map;

/**
 * What changed between two states, key by key: objects are compared member by member, any
 * other value (arrays included) as a whole, the way the state merge replaces them.
 */
final class StateDiff {
    /** Changes listed at most; a patch that rewrites a huge state is cut there. */
    static final int MAX_CHANGES = 1_000;

    /**
     * Numbers are equal by value, at any depth (1 and 1.0, 0.0 and -0.0 are the same JSON
     * number); anything else as Jackson compares it. Returns 0 for equal, as equals asks.
     */
    private static final Comparator<JsonNode> SAME_NUMBER = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private StateDiff() {
    }

    /**
     * {@code [{"path": "player.hp", "change": "added"|"removed"|"changed", "before"?, "after"?}]}
     * in key order of {@code after} (removed keys after the kept ones of their object).
     */
    static ArrayNode changes(ObjectNode before, ObjectNode after) {
        ArrayNode out = Json.mapper().createArrayNode();
        walk(before, after, "", out);
        return out;
    }

    private static void walk(ObjectNode before, ObjectNode after, String prefix, ArrayNode out) {
        for (Map.Entry<String, JsonNode> e : after.properties()) {
            String path = StatePath.append(prefix, e.getKey());
            JsonNode old = before.get(e.getKey());
            JsonNode now = e.getValue();
            if (old instanceof ObjectNode o && now instanceof ObjectNode n) {
                walk(o, n, path, out);
            } else if (old == null) {
                add(out, path, "added", null, now);
            } else if (!old.equals(SAME_NUMBER, now)) {
                add(out, path, "changed", old, now);
            }
        }
        for (Map.Entry<String, JsonNode> e : before.properties()) {
            if (!after.has(e.getKey())) {
                add(out, StatePath.append(prefix, e.getKey()), "removed", e.getValue(), null);
            }
        }
    }

    private static void add(ArrayNode out, String path, String change, JsonNode before, JsonNode after) {
        if (out.size() >= MAX_CHANGES) {
            return;
        }
        ObjectNode c = out.addObject().put("path", path).put("change", change);
        if (before != null) {
            c.set("before", before);
        }
        if (after != null) {
            c.set("after", after);
        }
    }
}
